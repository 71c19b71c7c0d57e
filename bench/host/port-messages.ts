// MessageChannel in an app isolate: messages per second through one port, each handler posting
// the next (as a scheduler yielding with MessageChannel does), and the host thread's CPU per
// message. Every delivery is a task of its own (HTML: one per message), run by the host.
//
//   npm run bench:messages -- [N]   (default 20,000 messages; bounded: 120 s at most)
import { NanoIsolate } from '../../src/host/isolate/nano-isolate.js';

const count = Number(process.argv[2] ?? 20_000);
const nano = await NanoIsolate.create({ memoryLimitMb: 64 });
try {
  const start = performance.now();
  const cpu = process.cpuUsage();
  await nano.evaluate(
    `globalThis.delivered = 0;
    const { port1, port2 } = new MessageChannel();
    port2.onmessage = ({ data }) => {
      globalThis.delivered = data;
      if (data < ${count}) port1.postMessage(data + 1);
    };
    port1.postMessage(1);`,
    'port-messages.js',
  );
  let delivered = 0;
  const deadline = start + 120_000;
  while (delivered < count && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    delivered = (await nano.evaluate('globalThis.delivered', 'poll.js')) as number;
  }
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  console.log(`${delivered} messages in ${ms.toFixed(0)} ms: ${((delivered / ms) * 1000).toFixed(0)} messages/s; host thread CPU ${(((used.user + used.system) / delivered)).toFixed(1)} µs per message`);
} finally {
  nano.dispose();
}
