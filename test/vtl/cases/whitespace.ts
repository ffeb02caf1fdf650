import type { OracleCase } from './types.ts';

export const whitespace: OracleCase[] = [
  ['ws-json-template', '{\n  "a": "$s",\n  #if($b)\n  "b": $i,\n  #end\n  "c": [\n  #foreach($x in $l)\n    "$x"#if($foreach.hasNext),#end\n  #end\n  ]\n}'],
  ['ws-set-lines', '#set($a = 1)\n#set($b = 2)\n$a$b\n'],
  ['ws-set-indented-lines', '{\n    #set($a = 1)\n    #set($b = 2)\n    "x": $a\n}'],
  ['ws-if-else-indented', '{\n    #if($f)\n    "a": 1\n    #else\n    "b": 2\n    #end\n}'],
  ['ws-foreach-indented', '[\n    #foreach($x in [1, 2])\n    $x\n    #end\n]'],
  ['ws-trailing-tab', '#if(true)\t\nx#end'],
  ['ws-only-spaces-after-paren', '#if(true)   x#end'],
  ['ws-directive-at-eof', 'a\n#if(true)b#end'],
  ['ws-blank-lines', '\n\n#set($a = 1)\n\n$a\n\n'],
  ['ws-end-spaces-eof', '#if(true)a#end   '],
  ['ws-cr-only', '#set($a = 1)\rnext'],
  ['ws-else-inline', '#if(false)a #else b #end c'],
  ['ws-macro-call-newline', '#macro(m)M#end\n#m()\n#m()  \nx'],
  ['ws-comment-then-directive', '## c\n#set($a = 1)\n$a'],
  ['ws-block-comment-line', 'a\n#* c *#\nb'],
  ['ws-set-after-comment', '#* c *#  #set($a = 1)x'],
  ['ws-set-after-escape', '\\\\ #set($a = 1)x'],
  ['ws-set-two-spaces-newline', 'a\n\n  #set($a = 1)  \n  b'],
  ['ws-foreach-inline-json', '{#foreach($k in $m.keySet())"$k":"$m.get($k)"#if($foreach.hasNext),#end#end}'],
  ['ws-nested-indent', '#foreach($a in [1, 2])\n  #foreach($b in [1, 2])\n    $a$b\n  #end\n#end'],
];
