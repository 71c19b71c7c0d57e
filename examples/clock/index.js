// Server-sent events: the time, once a second, streamed as it is produced. ?count=N stops after N
// events (default 10). A client that disconnects cancels the stream (cancel() stops the timer).
export default {
  fetch(request) {
    const count = Math.min(Number(new URL(request.url).searchParams.get('count') ?? 10) || 10, 3600);
    const encoder = new TextEncoder();
    let timer;
    let sent = 0;
    const body = new ReadableStream({
      start(controller) {
        const tick = () => {
          controller.enqueue(encoder.encode(`id: ${sent}\ndata: ${new Date().toISOString()}\n\n`));
          if (++sent >= count) {
            clearInterval(timer);
            controller.close();
          }
        };
        tick();
        if (sent < count) timer = setInterval(tick, 1000);
      },
      cancel(reason) {
        clearInterval(timer);
        console.log(`clock: the client left after ${sent} events (${reason})`);
      },
    });
    return new Response(body, {
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' },
    });
  },
};
