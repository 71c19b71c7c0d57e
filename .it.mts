import { readableTrace } from './test/property/trace.ts';
import * as nano from './src/streams/index.ts';
import * as polyfill from 'web-streams-polyfill';
const ops = [{"op":"read"},{"op":"cancel"},{"op":"enqueue","v":0},{"op":"read"}] as any;
console.log('nano    ', JSON.stringify(await readableTrace(nano as any, 0, false, ops, 'iterator')));
console.log('polyfill', JSON.stringify(await readableTrace(polyfill as any, 0, false, ops, 'iterator')));
console.log('node    ', JSON.stringify(await readableTrace(await import('node:stream/web') as any, 0, false, ops, 'iterator')));
