// A tiny event emitter in plain JavaScript: prototypes, closures, rest parameters, generators.
function Emitter() {
  this.handlers = Object.create(null);
}

Emitter.prototype.on = function (name, handler) {
  (this.handlers[name] ||= []).push(handler);
  return () => this.off(name, handler);
};

Emitter.prototype.off = function off(name, handler) {
  const list = this.handlers[name] || [];
  const i = list.indexOf(handler);
  if (i >= 0) list.splice(i, 1);
};

Emitter.prototype.emit = function (name, ...args) {
  for (const handler of [...(this.handlers[name] || [])]) handler.apply(this, args);
};

function* countdown(from = 3) {
  while (from > 0) yield from--;
}

const utils = {
  once(emitter, name) {
    return new Promise((resolve) => {
      const stop = emitter.on(name, (...values) => {
        stop();
        resolve(values);
      });
    });
  },
  async drain(iterable) {
    const out = [];
    for await (const value of iterable) out.push(value);
    return out;
  },
};

module.exports = { Emitter, countdown, utils };
