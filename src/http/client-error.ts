// Malformed HTTP, oversized headers and requests that did not arrive in time never reach a
// request handler: Node reports them as 'clientError' on the socket. They get a JSON answer in
// API Gateway's shape (Node's default is a bare status line) and the socket is closed.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { log } from '../observe/log.ts';
import { rawErrorResponse, type FrontError } from './answer.ts';

export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // Node keeps the response in progress on the socket; once its headers are out, a second
  // status line would corrupt the stream, so the socket is only closed.
  const current = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || current?.headersSent === true) {
    socket.destroy();
    return;
  }
  const answer = classify(err.code);
  log().debug({ code: err.code, status: answer.status }, 'client error');
  // destroy once written: a client that never reads must not hold the socket.
  socket.end(rawErrorResponse(answer), () => socket.destroy());
}

function classify(code: string | undefined): FrontError {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, type: 'RequestTimeoutException', message: 'Request Timeout: the request did not arrive within the server\'s limit (--request-timeout-seconds)' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, type: 'RequestHeaderFieldsTooLargeException', message: 'Request Header Fields Too Large' };
    default:
      return { status: 400, type: 'BadRequestException', message: 'Bad Request' };
  }
}
