/**
 * The plain WebSocket relay of `relay.ws`: one Deno process, two sockets "a" and "b";
 * every message from one is sent to the other. Prints its port on the first line.
 *
 * @module
 */
const sockets = new Map<string, WebSocket>();

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(port),
}, (request) => {
  const role = new URL(request.url).searchParams.get("role") ?? "a";
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.binaryType = "arraybuffer";
  sockets.set(role, socket);
  socket.onmessage = (event) => sockets.get(role === "a" ? "b" : "a")?.send(event.data);
  return response;
});
