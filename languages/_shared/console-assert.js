// Loaded with `node --require` before the program: a failed console.assert ends the program
// with exit code 1. Node itself only prints "Assertion failed" and exits 0, which would turn
// every wrong solution checked with console.assert (McEval's JavaScript/TypeScript tests) into
// a pass.
'use strict';
const util = require('node:util');

console.assert = function assert(value, ...message) {
  if (value) {
    return;
  }
  const detail = message.length > 0 ? `: ${util.format(...message)}` : '';
  process.stderr.write(`Assertion failed${detail}\n`);
  process.exit(1);
};
