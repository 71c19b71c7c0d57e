// MessageChannel, MessagePort and MessageEvent within one isolate:
// https://html.spec.whatwg.org/multipage/web-messaging.html#message-channels
// Each port has a port message queue (disabled until start() or onmessage); its tasks are run
// through the host's queueTask hook, one message per task. A queue moves with its port when
// the port is transferred.
import { defineInterface } from '../streams/webidl/interface.js';
import {
  Event,
  EventTarget,
  convertEventInit,
  defineEventHandler,
  dictionaryObject,
  fireEvent,
  getEventState,
  initializeEvent,
  preconvertedEventInit,
  reportListenerException,
  requireArguments,
  toDOMString,
  toUSVString,
} from './events.js';
import {
  StructuredDeserializeWithTransfer,
  StructuredSerializeWithTransfer,
  convertObjectSequence,
  convertTransferOption,
  dataCloneError,
  registerTransferable,
  type SerializeWithTransferResult,
} from './structured-clone.js';

const TypeErrorCtor = TypeError;
const ObjectFreeze = Object.freeze;
const SymbolIterator: typeof Symbol.iterator = Symbol.iterator;

/** "Queue a task" from the host (installDomBasics). */
let queueTask: (callback: () => void) => void = (callback) => void Promise.resolve().then(callback);

export function setMessageTaskQueue(queue: (callback: () => void) => void): void {
  queueTask = queue;
}

/** https://html.spec.whatwg.org/multipage/web-messaging.html#port-message-queue */
interface PortMessageQueue {
  /** The port whose queue this is now ("finalTargetPort"). */
  owner: MessagePort;
  tasks: Array<() => void>;
  /** Index of the next task (an O(1) FIFO without Array#shift). */
  head: number;
  enabled: boolean;
  scheduled: boolean;
}

interface PortState {
  entangled: MessagePort | null;
  queue: PortMessageQueue;
  /** [[Detached]]: transferred or closed. */
  detached: boolean;
  closed: boolean;
  /** Handlers another standard added for the port's message and messageerror events (listenInternally). */
  internal: InternalPortHandlers | undefined;
}

/**
 * "Add a handler for port's message event" and for its messageerror event, for a port only a
 * standard's algorithms hold (the Streams standard's cross-realm transform streams): script
 * never sees such a port, so its events go to these handlers and no event object is made.
 */
export interface InternalPortHandlers {
  message(data: unknown): void;
  messageerror(): void;
}

const createToken = Symbol('MessagePort.create');

let portStateOf: (x: unknown) => PortState | undefined;

function portState(x: unknown, member: string): PortState {
  const s = portStateOf(x);
  if (s === undefined) throw new TypeErrorCtor(`Failed to execute '${member}' on 'MessagePort': Illegal invocation`);
  return s;
}

/** @see https://html.spec.whatwg.org/multipage/web-messaging.html#message-ports */
export class MessagePort extends EventTarget {
  #state: PortState;

  constructor(...args: unknown[]) {
    if (args[0] !== createToken) throw new TypeErrorCtor("Failed to construct 'MessagePort': Illegal constructor");
    super();
    this.#state = { entangled: null, queue: undefined as never, detached: false, closed: false, internal: undefined };
    this.#state.queue = newQueue(this);
  }

  /** @see https://html.spec.whatwg.org/multipage/web-messaging.html#dom-messageport-postmessage */
  postMessage(message: unknown, transferOrOptions: unknown = undefined): void {
    const s = portState(this, 'postMessage');
    requireArguments(arguments.length, 1, 'MessagePort', 'postMessage');
    const where = "Failed to execute 'postMessage' on 'MessagePort'";
    // Overload resolution: an object with @@iterator is the transfer sequence, else options.
    let transfer: object[];
    if (
      (typeof transferOrOptions === 'object' || typeof transferOrOptions === 'function') &&
      transferOrOptions !== null &&
      (transferOrOptions as { [Symbol.iterator]?: unknown })[SymbolIterator] !== undefined
    ) {
      transfer = convertObjectSequence(transferOrOptions, where);
    } else {
      transfer = convertTransferOption(transferOrOptions, where);
    }
    MessagePortPostMessageSteps(this, s, s.entangled, message, transfer);
  }

  /** @see https://html.spec.whatwg.org/multipage/web-messaging.html#dom-messageport-start */
  start(): void {
    const s = portState(this, 'start');
    enableQueue(s.queue);
  }

  /** @see https://html.spec.whatwg.org/multipage/web-messaging.html#dom-messageport-close */
  close(): void {
    const s = portState(this, 'close');
    s.detached = true;
    s.closed = true;
    if (s.entangled !== null) Disentangle(this, s);
  }

  declare onmessage: ((this: MessagePort, ev: MessageEvent) => unknown) | null;
  declare onmessageerror: ((this: MessagePort, ev: MessageEvent) => unknown) | null;
  declare onclose: ((this: MessagePort, ev: Event) => unknown) | null;

  static {
    portStateOf = (x) => (typeof x === 'object' && x !== null && #state in x ? x.#state : undefined);
  }
}

defineInterface(MessagePort, 'MessagePort');
const isPort = (x: unknown): boolean => portStateOf(x) !== undefined;
// Setting onmessage enables the port message queue, as start() does.
defineEventHandler(MessagePort.prototype, 'MessagePort', 'message', isPort, (port) => enableQueue(portStateOf(port)!.queue));
defineEventHandler(MessagePort.prototype, 'MessagePort', 'messageerror', isPort);
defineEventHandler(MessagePort.prototype, 'MessagePort', 'close', isPort);

export function isMessageChannel(x: unknown): x is MessageChannel {
  return channelPorts(x) !== undefined;
}

export function isMessagePort(x: unknown): x is MessagePort {
  return portStateOf(x) !== undefined;
}

function newPort(): MessagePort {
  return new MessagePort(createToken);
}

function newQueue(owner: MessagePort): PortMessageQueue {
  return { owner, tasks: [], head: 0, enabled: false, scheduled: false };
}

/** https://html.spec.whatwg.org/multipage/web-messaging.html#entangle */
function Entangle(a: MessagePort, b: MessagePort): void {
  portStateOf(a)!.entangled = b;
  portStateOf(b)!.entangled = a;
}

/** https://html.spec.whatwg.org/multipage/web-messaging.html#disentangle */
function Disentangle(initiator: MessagePort, s: PortState): void {
  const otherPort = s.entangled!;
  const os = portStateOf(otherPort)!;
  s.entangled = null;
  os.entangled = null;
  // The other side learns of it after the messages already sent to it.
  enqueue(os.queue, (port) => void fireEvent(port, new Event('close')));
}

function enqueue(queue: PortMessageQueue, task: (port: MessagePort) => void): void {
  queue.tasks.push(() => task(queue.owner));
  scheduleQueue(queue);
}

function enableQueue(queue: PortMessageQueue): void {
  if (queue.enabled) return;
  queue.enabled = true;
  scheduleQueue(queue);
}

function scheduleQueue(queue: PortMessageQueue): void {
  if (!queue.enabled || queue.scheduled || queue.head >= queue.tasks.length) return;
  queue.scheduled = true;
  queueTask(() => runQueueTask(queue));
}

/** One task of a port message queue, then the next one as a task of its own. */
function runQueueTask(queue: PortMessageQueue): void {
  queue.scheduled = false;
  if (!queue.enabled || queue.head >= queue.tasks.length) return;
  const task = queue.tasks[queue.head]!;
  queue.tasks[queue.head] = undefined as never;
  queue.head++;
  if (queue.head === queue.tasks.length) {
    queue.tasks = [];
    queue.head = 0;
  } else if (queue.head > 1024 && queue.head * 2 > queue.tasks.length) {
    queue.tasks = queue.tasks.slice(queue.head);
    queue.head = 0;
  }
  try {
    // A closed port fires nothing more.
    if (!portStateOf(queue.owner)!.closed) task();
  } catch (error) {
    reportListenerException(error);
  }
  scheduleQueue(queue);
}

/** https://html.spec.whatwg.org/multipage/web-messaging.html#message-port-post-message-steps */
function MessagePortPostMessageSteps(
  sourcePort: MessagePort,
  _s: PortState,
  targetPort: MessagePort | null,
  message: unknown,
  transfer: object[],
): void {
  // Step 2.
  for (const t of transfer) {
    if (t === sourcePort) {
      throw dataCloneError("Failed to execute 'postMessage' on 'MessagePort': Port at index 0 contains the source port.");
    }
  }
  // Steps 3-4.
  let doomed = false;
  if (targetPort !== null) for (const t of transfer) if (t === targetPort) doomed = true;
  // Step 5.
  const serializeWithTransferResult = StructuredSerializeWithTransfer(message, transfer);
  // Step 6.
  if (targetPort === null || doomed) return;
  // Step 7.
  enqueue(portStateOf(targetPort)!.queue, (finalTargetPort) => deliverMessage(finalTargetPort, serializeWithTransferResult));
}

function deliverMessage(finalTargetPort: MessagePort, record: SerializeWithTransferResult): void {
  const internal = portStateOf(finalTargetPort)!.internal;
  let deserializeRecord: { deserialized: unknown; transferredValues: unknown[] };
  try {
    deserializeRecord = StructuredDeserializeWithTransfer(record);
  } catch {
    if (internal !== undefined) internal.messageerror();
    else fireEvent(finalTargetPort, createMessageEvent('messageerror', null, []));
    return;
  }
  if (internal !== undefined) {
    internal.message(deserializeRecord.deserialized);
    return;
  }
  const newPorts: MessagePort[] = [];
  for (const v of deserializeRecord.transferredValues) if (isMessagePort(v)) newPorts.push(v);
  fireEvent(finalTargetPort, createMessageEvent('message', deserializeRecord.deserialized, newPorts));
}

// For other standards' algorithms (transferable-streams.ts): ports script never holds.

/** Two new entangled ports (as MessageChannel's constructor makes them). */
export function createEntangledPorts(): [MessagePort, MessagePort] {
  const port1 = newPort();
  const port2 = newPort();
  Entangle(port1, port2);
  return [port1, port2];
}

/** Adds the message and messageerror handlers, and enables the port message queue. */
export function listenInternally(port: MessagePort, handlers: InternalPortHandlers): void {
  const s = portStateOf(port)!;
  s.internal = handlers;
  enableQueue(s.queue);
}

/** "Disentangle port", if it is still entangled. */
export function disentanglePort(port: MessagePort): void {
  const s = portStateOf(port)!;
  if (s.entangled !== null) Disentangle(port, s);
}

/**
 * The message port post message steps with the port it is entangled with as the target (null
 * once disentangled: the message goes nowhere) and no transfer. Throws a DataCloneError when
 * `message` cannot be serialized.
 */
export function postToEntangledPort(port: MessagePort, message: unknown): void {
  const s = portStateOf(port)!;
  MessagePortPostMessageSteps(port, s, s.entangled, message, []);
}

// MessagePort is [Transferable]: https://html.spec.whatwg.org/multipage/web-messaging.html#message-ports
registerTransferable({
  name: 'MessagePort',
  is: isPort,
  isDetached: (port) => portStateOf(port)!.detached,
  transfer(port) {
    const s = portStateOf(port)!;
    return { queue: s.queue, remote: s.entangled };
  },
  detach(port) {
    const s = portStateOf(port)!;
    s.detached = true;
    // The old object keeps the link until the new one takes it over (messages sent meanwhile
    // land in the queue that moves), but posting from it goes nowhere.
  },
  receive(data) {
    const { queue, remote } = data as { queue: PortMessageQueue; remote: MessagePort | null };
    const value = newPort();
    const vs = portStateOf(value)!;
    const old = queue.owner;
    const olds = portStateOf(old)!;
    // Move the queue's tasks to the new port; the moved queue starts disabled.
    olds.queue = newQueue(old);
    olds.entangled = null;
    queue.owner = value;
    queue.enabled = false;
    vs.queue = queue;
    if (remote !== null) {
      const rs = portStateOf(remote)!;
      if (rs.entangled === old) Entangle(value, remote);
    }
    return value;
  },
});

// ---------------------------------------------------------------------------------------------
// MessageChannel

let channelPorts: (x: unknown) => { port1: MessagePort; port2: MessagePort } | undefined;

/** @see https://html.spec.whatwg.org/multipage/web-messaging.html#message-channels */
export class MessageChannel {
  #ports: { port1: MessagePort; port2: MessagePort };

  constructor() {
    const [port1, port2] = createEntangledPorts();
    this.#ports = { port1, port2 };
  }

  get port1(): MessagePort {
    const p = channelPorts(this);
    if (p === undefined) throw new TypeErrorCtor("Failed to read the 'port1' property from 'MessageChannel': Illegal invocation");
    return p.port1;
  }

  get port2(): MessagePort {
    const p = channelPorts(this);
    if (p === undefined) throw new TypeErrorCtor("Failed to read the 'port2' property from 'MessageChannel': Illegal invocation");
    return p.port2;
  }

  static {
    channelPorts = (x) => (typeof x === 'object' && x !== null && #ports in x ? x.#ports : undefined);
  }
}

defineInterface(MessageChannel, 'MessageChannel');

// ---------------------------------------------------------------------------------------------
// MessageEvent: https://html.spec.whatwg.org/multipage/comms.html#the-messageevent-interface

interface MessageEventFields {
  data: unknown;
  origin: string;
  lastEventId: string;
  source: MessagePort | null;
  ports: readonly MessagePort[];
}

let messageEventFields: (x: unknown) => MessageEventFields | undefined;

function messageGetter(x: unknown, attr: string): MessageEventFields {
  const f = messageEventFields(x);
  if (f === undefined) throw new TypeErrorCtor(`Failed to read the '${attr}' property from 'MessageEvent': Illegal invocation`);
  return f;
}

function convertSource(value: unknown, where: string): MessagePort | null {
  if (value === undefined || value === null) return null;
  if (!isMessagePort(value)) throw new TypeErrorCtor(`${where}: The provided value is not of type '(MessagePort or ServiceWorker or WindowProxy)'.`);
  return value;
}

function convertPorts(value: unknown, where: string): readonly MessagePort[] {
  const items = convertObjectSequence(value, where);
  for (const item of items) {
    if (!isMessagePort(item)) throw new TypeErrorCtor(`${where}: Failed to convert value to 'MessagePort'.`);
  }
  return ObjectFreeze(items as MessagePort[]);
}

const emptyPorts: readonly MessagePort[] = ObjectFreeze([]);

export class MessageEvent extends Event {
  #fields: MessageEventFields;

  constructor(type: unknown, eventInitDict: unknown = undefined) {
    requireArguments(arguments.length, 1, 'MessageEvent', null);
    const t = toDOMString(type);
    const where = "Failed to construct 'MessageEvent'";
    const dict = dictionaryObject(eventInitDict, 'MessageEvent', null);
    const base = convertEventInit(dict);
    // Own members in lexicographic order: data, lastEventId, origin, ports, source.
    let data: unknown = null;
    let lastEventId = '';
    let origin = '';
    let ports = emptyPorts;
    let source: MessagePort | null = null;
    if (dict !== undefined) {
      const d = dict.data;
      if (d !== undefined) data = d;
      const l = dict.lastEventId;
      if (l !== undefined) lastEventId = toDOMString(l);
      const o = dict.origin;
      if (o !== undefined) origin = toUSVString(o);
      const p = dict.ports;
      if (p !== undefined) ports = convertPorts(p, where);
      source = convertSource(dict.source, where);
    }
    preconvertedEventInit(base);
    super(t);
    this.#fields = { data, origin, lastEventId, source, ports };
  }

  get data(): unknown {
    return messageGetter(this, 'data').data;
  }

  get origin(): string {
    return messageGetter(this, 'origin').origin;
  }

  get lastEventId(): string {
    return messageGetter(this, 'lastEventId').lastEventId;
  }

  get source(): MessagePort | null {
    return messageGetter(this, 'source').source;
  }

  get ports(): readonly MessagePort[] {
    return messageGetter(this, 'ports').ports;
  }

  /** @see https://html.spec.whatwg.org/multipage/comms.html#dom-messageevent-initmessageevent */
  initMessageEvent(
    type: unknown,
    bubbles: unknown = false,
    cancelable: unknown = false,
    data: unknown = null,
    origin: unknown = '',
    lastEventId: unknown = '',
    source: unknown = null,
    ports: unknown = [],
  ): void {
    const f = messageEventFields(this);
    if (f === undefined) throw new TypeErrorCtor("Failed to execute 'initMessageEvent' on 'MessageEvent': Illegal invocation");
    requireArguments(arguments.length, 1, 'MessageEvent', 'initMessageEvent');
    const where = "Failed to execute 'initMessageEvent' on 'MessageEvent'";
    const t = toDOMString(type);
    const b = !!bubbles;
    const c = !!cancelable;
    const o = toUSVString(origin);
    const l = toDOMString(lastEventId);
    const src = convertSource(source, where);
    const p = convertPorts(ports, where);
    const s = getEventState(this)!;
    if (s.dispatch) return;
    initializeEvent(s, t, b, c);
    f.data = data;
    f.origin = o;
    f.lastEventId = l;
    f.source = src;
    f.ports = p;
  }

  static {
    messageEventFields = (x) => (typeof x === 'object' && x !== null && #fields in x ? x.#fields : undefined);
  }
}

defineInterface(MessageEvent, 'MessageEvent');

function createMessageEvent(type: string, data: unknown, ports: MessagePort[]): MessageEvent {
  const event = new MessageEvent(type);
  const f = messageEventFields(event)!;
  f.data = data;
  f.ports = ObjectFreeze(ports);
  return event;
}
