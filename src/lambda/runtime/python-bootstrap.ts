// The program a python3.* worker runs: the same protocol as the Node.js bootstrap (newline-
// delimited JSON over the socket on file descriptor 3), with Lambda's Python
// handler conventions (`file.function`, `context.get_remaining_time_in_millis()`) and its
// error shape (errorMessage, errorType, requestId, stackTrace).
export const PYTHON_BOOTSTRAP = String.raw`
import importlib, json, logging, os, socket, sys, time, traceback

chan = socket.socket(fileno=3)
os.set_inheritable(3, False)
reader = chan.makefile('rb')
MAX_LINE = 262144
MAX_RESPONSE = 6291556
current_id = None

def send(msg):
    chan.sendall((json.dumps(msg) + '\n').encode('utf-8'))

class LogWriter:
    def __init__(self):
        self.buf = ''
    def write(self, text):
        self.buf += text
        while '\n' in self.buf:
            line, self.buf = self.buf.split('\n', 1)
            send({'t': 'log', 'line': line[:MAX_LINE] + '\n'})
        return len(text)
    def flush(self):
        if self.buf:
            send({'t': 'log', 'line': self.buf[:MAX_LINE]})
            self.buf = ''
    def isatty(self):
        return False

sys.stdout = LogWriter()
sys.stderr = sys.stdout

class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = current_id
        return True

handler_ = logging.StreamHandler(sys.stdout)
handler_.setFormatter(logging.Formatter('[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n', '%Y-%m-%dT%H:%M:%S'))
handler_.formatter.converter = time.gmtime
handler_.addFilter(RequestIdFilter())
logging.getLogger().addHandler(handler_)
logging.getLogger().setLevel(logging.WARNING)

def error_of(exc, request_id, error_type=None):
    # Paths in the task root read as Lambda's /var/task, where the code lives on Lambda.
    tb = traceback.extract_tb(exc.__traceback__)[1:]
    root = os.environ.get('LAMBDA_TASK_ROOT', '')
    if root:
        for f in tb:
            if f.filename.startswith(root + '/'):
                f.filename = '/var/task' + f.filename[len(root):]
    frames = traceback.format_list(tb)
    return {'errorMessage': str(exc), 'errorType': error_type or type(exc).__name__, 'requestId': request_id, 'stackTrace': frames}

try:
    import resource
    mb = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if mb > 0:
        limit = (mb + 256) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
except Exception:
    pass

class Context:
    def __init__(self, msg):
        self.function_name = os.environ.get('AWS_LAMBDA_FUNCTION_NAME')
        self.function_version = os.environ.get('AWS_LAMBDA_FUNCTION_VERSION')
        self.invoked_function_arn = msg.get('arn')
        self.memory_limit_in_mb = os.environ.get('AWS_LAMBDA_FUNCTION_MEMORY_SIZE')
        self.aws_request_id = msg['id']
        self.log_group_name = os.environ.get('AWS_LAMBDA_LOG_GROUP_NAME')
        self.log_stream_name = os.environ.get('AWS_LAMBDA_LOG_STREAM_NAME')
        self.identity = None
        self.client_context = msg.get('clientContext')
        self._deadline = msg['deadline']
    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline - time.time() * 1000))

def load():
    task_root = os.environ['LAMBDA_TASK_ROOT']
    sys.path.insert(0, task_root)
    handler = os.environ['_HANDLER']
    try:
        modname, fname = handler.rsplit('.', 1)
    except ValueError:
        raise LoadError('Runtime.MalformedHandlerName', "Bad handler '" + handler + "': not enough values to unpack (expected 2, got 1)")
    modname = modname.replace('/', '.')
    try:
        module = importlib.import_module(modname)
    except ImportError as e:
        raise LoadError('Runtime.ImportModuleError', "Unable to import module '" + modname + "': " + str(e))
    except SyntaxError as e:
        raise LoadError('Runtime.UserCodeSyntaxError', 'Syntax error in module ' + repr(modname) + ': ' + str(e))
    fn = getattr(module, fname, None)
    if fn is None:
        raise LoadError('Runtime.HandlerNotFound', "Handler '" + fname + "' missing on module '" + modname + "'")
    return fn

class LoadError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type

# The peak resident memory, read at most every 100 ms (getrusage is a system call; the peak only
# grows, so a later reading catches up), as the Node.js bootstrap does.
_rss = [0, -1.0]
def max_rss_mb():
    now = time.monotonic()
    if _rss[1] >= 0 and now - _rss[1] < 0.1:
        return _rss[0]
    try:
        import resource
        _rss[0] = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    except Exception:
        _rss[0] = 0
    _rss[1] = now
    return _rss[0]

try:
    fn = load()
except LoadError as e:
    body = {'errorMessage': str(e), 'errorType': e.error_type, 'requestId': '', 'stackTrace': []}
    print('[ERROR] ' + e.error_type + ': ' + str(e))
    sys.stdout.flush()
    send({'t': 'init-error', 'error': json.dumps(body)})
    sys.exit(1)
except Exception as e:
    body = error_of(e, '')
    print('[ERROR] ' + body['errorType'] + ': ' + body['errorMessage'])
    sys.stdout.flush()
    send({'t': 'init-error', 'error': json.dumps(body)})
    sys.exit(1)

send({'t': 'ready'})
for raw in reader:
    try:
        msg = json.loads(raw)
    except ValueError:
        continue
    if not isinstance(msg, dict) or msg.get('t') != 'invoke':
        continue
    current_id = msg['id']
    try:
        event = msg.get('event')
        result = fn(event, Context(msg))
        try:
            body = json.dumps(result)
            ok = True
        except TypeError as e:
            body = json.dumps({'errorMessage': 'Unable to marshal response: ' + str(e), 'errorType': 'Runtime.MarshalError', 'requestId': current_id, 'stackTrace': []})
            ok = False
    except Exception as e:
        err = error_of(e, current_id)
        print('[ERROR] ' + err['errorType'] + ': ' + err['errorMessage'])
        body = json.dumps(err)
        ok = False
    if ok and len(body.encode('utf-8')) > MAX_RESPONSE:
        ok = False
        body = json.dumps({'errorMessage': 'Response payload size exceeded maximum allowed payload size (%d bytes).' % MAX_RESPONSE, 'errorType': 'Function.ResponseSizeTooLarge'})
    sys.stdout.flush()
    payload = body.encode('utf-8')
    chan.sendall((json.dumps({'t': 'result', 'id': current_id, 'ok': ok, 'maxRssMb': max_rss_mb(), 'size': len(payload)}) + '\n').encode('utf-8') + payload + b'\n')
    current_id = None
`;
