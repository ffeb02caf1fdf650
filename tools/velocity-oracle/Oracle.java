// Renders Velocity templates with the real Apache Velocity 1.7 engine, for Gatehouse's
// differential tests. Input (a file): a JSON array of {"id", "template", "context"}.
// Output (stdout): a JSON object {id: {"output": "..."} | {"error": "parse" | "runtime" | ...}}.
// Mode "velocity" renders with Velocity's defaults; mode "apigateway" additionally renders a
// null reference as the empty string, as API Gateway does (see docs/vtl.md).
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;
import org.apache.velocity.app.event.EventCartridge;
import org.apache.velocity.app.event.ReferenceInsertionEventHandler;
import org.apache.velocity.exception.ParseErrorException;
import org.apache.velocity.exception.MethodInvocationException;

public final class Oracle {
  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String text = new String(Files.readAllBytes(Paths.get(args[1])), StandardCharsets.UTF_8);
    List<?> cases = (List<?>) new Json(text).parseValue();
    VelocityEngine engine = new VelocityEngine();
    engine.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
    // Each case is its own template: its macros must not leak into the next case.
    engine.setProperty("velocimacro.permissions.allow.inline.local.scope", "true");
    if (mode.equals("apigateway")) {
      // API Gateway's documented limit of 1000 #foreach iterations, as Velocity's own setting.
      engine.setProperty("directive.foreach.maxloops", "1000");
    }
    engine.init();
    StringBuilder out = new StringBuilder("{\n");
    boolean first = true;
    for (Object o : cases) {
      Map<?, ?> c = (Map<?, ?>) o;
      String id = (String) c.get("id");
      String template = (String) c.get("template");
      Map<?, ?> ctx = c.get("context") == null ? new LinkedHashMap<>() : (Map<?, ?>) c.get("context");
      VelocityContext vc = new VelocityContext();
      for (Map.Entry<?, ?> e : ctx.entrySet()) vc.put((String) e.getKey(), e.getValue());
      if (mode.equals("apigateway")) {
        EventCartridge ec = new EventCartridge();
        ec.addEventHandler(new ReferenceInsertionEventHandler() {
          public Object referenceInsert(String reference, Object value) { return value == null ? "" : value; }
        });
        ec.attachToContext(vc);
      }
      StringWriter w = new StringWriter();
      String result;
      try {
        engine.evaluate(vc, w, id, template);
        result = "{\"output\": " + Json.quote(w.toString()) + "}";
      } catch (ParseErrorException e) {
        result = "{\"error\": \"parse\"}";
        if (System.getenv("ORACLE_DEBUG") != null) System.err.println(id + ": " + e.getMessage());
      } catch (MethodInvocationException e) {
        result = "{\"error\": \"method\"}";
      } catch (Throwable e) {
        result = "{\"error\": " + Json.quote("runtime:" + e.getClass().getSimpleName()) + "}";
      }
      if (!first) out.append(",\n");
      first = false;
      out.append("  ").append(Json.quote(id)).append(": ").append(result);
    }
    out.append("\n}\n");
    System.out.write(out.toString().getBytes(StandardCharsets.UTF_8));
    System.out.flush();
  }

  /** A small JSON reader: objects become LinkedHashMap, arrays ArrayList, numbers Integer, Long or Double. */
  static final class Json {
    private final String s;
    private int i;

    Json(String s) { this.s = s; }

    Object parseValue() {
      ws();
      char ch = s.charAt(i);
      if (ch == '{') {
        i++;
        Map<String, Object> m = new LinkedHashMap<>();
        ws();
        if (s.charAt(i) == '}') { i++; return m; }
        while (true) {
          ws();
          String k = (String) parseValue();
          ws(); i++; // ':'
          m.put(k, parseValue());
          ws();
          if (s.charAt(i++) == '}') return m;
        }
      }
      if (ch == '[') {
        i++;
        List<Object> l = new ArrayList<>();
        ws();
        if (s.charAt(i) == ']') { i++; return l; }
        while (true) {
          l.add(parseValue());
          ws();
          if (s.charAt(i++) == ']') return l;
        }
      }
      if (ch == '"') {
        i++;
        StringBuilder b = new StringBuilder();
        while (true) {
          char c = s.charAt(i++);
          if (c == '"') return b.toString();
          if (c != '\\') { b.append(c); continue; }
          char e = s.charAt(i++);
          switch (e) {
            case 'n': b.append('\n'); break;
            case 't': b.append('\t'); break;
            case 'r': b.append('\r'); break;
            case 'b': b.append('\b'); break;
            case 'f': b.append('\f'); break;
            case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
            default: b.append(e);
          }
        }
      }
      if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
      if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
      if (s.startsWith("null", i)) { i += 4; return null; }
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
      String num = s.substring(start, i);
      if (num.contains(".") || num.contains("e") || num.contains("E")) return Double.valueOf(num);
      long v = Long.parseLong(num);
      if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return Integer.valueOf((int) v);
      return Long.valueOf(v);
    }

    private void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }

    static String quote(String v) {
      StringBuilder b = new StringBuilder("\"");
      for (int k = 0; k < v.length(); k++) {
        char c = v.charAt(k);
        if (c == '"' || c == '\\') b.append('\\').append(c);
        else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) b.append(String.format("\\u%04x", (int) c));
        else b.append(c);
      }
      return b.append('"').toString();
    }
  }
}
