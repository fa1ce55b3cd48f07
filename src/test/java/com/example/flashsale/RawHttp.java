package com.example.flashsale;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte as written: for the requests an HTTP client library would
 * normalise or refuse to send (raw {@code %00}, {@code //} or {@code /./} in a path, a 60 KB header, a body
 * whose {@code Content-Length} lies, a chunked body). One request per connection ({@code Connection: close}).
 * Blocking: call it from a test thread, never from an event loop.
 */
public final class RawHttp {

	private final int port;

	/** @param port the service's port on 127.0.0.1 */
	public RawHttp(int port) {
		this.port = port;
	}

	/** An answer: status, headers (names lower case, the last value of each) and body as UTF-8 text. */
	public record Answer(int status, Map<String, String> headers, String body) {

		/** The {@code Content-Type} header, or "" when absent. */
		public String contentType() {
			return this.headers.getOrDefault("content-type", "");
		}

		@Override
		public String toString() {
			return this.status + " " + this.headers + " " + this.body;
		}

	}

	/**
	 * Sends {@code head} (request line and headers, each line ended by CRLF, without the blank line: it is
	 * added together with {@code Connection: close}) followed by {@code body}, and reads the whole answer.
	 * @param body the bytes after the head, sent as they are (may be empty)
	 * @return the answer; status 0 when the server closed the connection without answering
	 */
	public Answer send(String head, byte[] body) {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(20_000);
			OutputStream out = socket.getOutputStream();
			out.write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
			try {
				out.write(body);
				out.flush();
			}
			catch (IOException ex) {
				// the server may answer and close before reading a body it refuses: read that answer
			}
			return read(socket.getInputStream());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** {@code method target} with the given extra header lines (each ended by CRLF) and body. */
	public Answer send(String method, String target, String headers, byte[] body) {
		return send(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + this.port + "\r\n" + headers, body);
	}

	private static Answer read(InputStream in) throws IOException {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		try {
			for (int n; (n = in.read(buffer)) != -1;) {
				all.write(buffer, 0, n);
			}
		}
		catch (SocketTimeoutException | java.net.SocketException ex) {
			// parse what came (a reset after a complete answer is fine)
		}
		byte[] bytes = all.toByteArray();
		String text = new String(bytes, StandardCharsets.ISO_8859_1);
		int end = text.indexOf("\r\n\r\n");
		if (end < 0) {
			return new Answer(0, Map.of(), text);
		}
		String[] lines = text.substring(0, end).split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		Map<String, String> headers = new LinkedHashMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
		}
		byte[] rest = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
		if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
			rest = dechunk(rest);
		}
		return new Answer(status, headers, new String(rest, StandardCharsets.UTF_8));
	}

	private static byte[] dechunk(byte[] chunked) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		String text = new String(chunked, StandardCharsets.ISO_8859_1);
		int at = 0;
		while (at < text.length()) {
			int eol = text.indexOf("\r\n", at);
			if (eol < 0) {
				break;
			}
			int size = Integer.parseInt(text.substring(at, eol).split(";")[0].trim(), 16);
			if (size == 0) {
				break;
			}
			out.write(chunked, eol + 2, Math.min(size, chunked.length - eol - 2));
			at = eol + 2 + size + 2;
		}
		return out.toByteArray();
	}

}
