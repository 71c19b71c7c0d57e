// 64 MiB (or ?mib=N) in 64 KiB chunks, produced on demand.
export default {
  fetch(request) {
    const total = Number(new URL(request.url).searchParams.get('mib') ?? 64) * 1024 * 1024;
    const chunk = new Uint8Array(64 * 1024).fill(97);
    let sent = 0;
    return new Response(new ReadableStream({
      pull(controller) {
        controller.enqueue(chunk.slice());
        sent += chunk.length;
        if (sent >= total) controller.close();
      },
    }, { highWaterMark: 4 }));
  },
};
