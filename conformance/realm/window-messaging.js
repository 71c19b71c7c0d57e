// Run before an .html or .window.js test's scripts (discover.ts): the window's postMessage(message,
// targetOrigin, transfer) and postMessage(message, options), for WPT files that transfer objects
// to themselves. A window posting to itself serializes the message (transferring what the list
// names) when it posts, and fires a MessageEvent at itself in a task; a MessageChannel's port
// message queue does exactly that, so the message goes through one and is re-fired at the global.
// Test harness only: NANO's app isolates are not windows and have no postMessage.
(() => {
  'use strict';
  // The global is the window.
  self.window = self;
  const { port1, port2 } = new MessageChannel();
  port2.onmessage = (event) => {
    dispatchEvent(new MessageEvent('message', { data: event.data, origin: location.origin, ports: event.ports }));
  };
  self.postMessage = function postMessage(message, targetOriginOrOptions = '/', transfer = []) {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'postMessage' on 'Window': 1 argument required, but only 0 present.");
    const list =
      typeof targetOriginOrOptions === 'object' && targetOriginOrOptions !== null ? targetOriginOrOptions.transfer ?? [] : transfer;
    port1.postMessage(message, list);
  };
})();
