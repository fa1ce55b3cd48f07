package com.example.flashsale;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP proxy that tests can freeze: {@link #freeze()} keeps every connection open and accepts
 * new ones, but forwards no byte in either direction (a database that stopped answering, as the service
 * sees it); {@link #thaw()} forwards what was held and everything after. Plain threads, not the event
 * loop: this is the network, not the service.
 */
public final class FreezableTcpProxy implements AutoCloseable {

	private final InetSocketAddress upstream;

	private final ServerSocket server;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private final Object gate = new Object();

	private volatile boolean frozen;

	/** Listens on a free loopback port and forwards to {@code upstreamHost:upstreamPort}. */
	public FreezableTcpProxy(String upstreamHost, int upstreamPort) {
		this.upstream = new InetSocketAddress(upstreamHost, upstreamPort);
		try {
			this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Thread accept = new Thread(this::acceptLoop, "freezable-proxy-accept");
		accept.setDaemon(true);
		accept.start();
	}

	/** The loopback port clients connect to. */
	public int port() {
		return this.server.getLocalPort();
	}

	/** From now on no byte is forwarded; connections stay open. */
	public void freeze() {
		this.frozen = true;
	}

	/** Forwards again, what was held first. */
	public void thaw() {
		synchronized (this.gate) {
			this.frozen = false;
			this.gate.notifyAll();
		}
	}

	@Override
	public void close() {
		thaw();
		closeQuietly(this.server);
		this.sockets.forEach(FreezableTcpProxy::closeQuietly);
	}

	private void acceptLoop() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				Socket target = new Socket(this.upstream.getAddress(), this.upstream.getPort());
				client.setTcpNoDelay(true);
				target.setTcpNoDelay(true);
				this.sockets.add(client);
				this.sockets.add(target);
				pump(client, target);
				pump(target, client);
			}
			catch (IOException ex) {
				// closed, or the upstream refused: the client sees a dropped connection
			}
		}
	}

	private void pump(Socket from, Socket to) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16 * 1024];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int n;
				while ((n = in.read(buffer)) >= 0) {
					awaitThawed();
					out.write(buffer, 0, n);
					out.flush();
				}
			}
			catch (IOException ex) {
				// one side closed
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
				this.sockets.remove(from);
				this.sockets.remove(to);
			}
		}, "freezable-proxy-pump");
		thread.setDaemon(true);
		thread.start();
	}

	private void awaitThawed() throws InterruptedException {
		synchronized (this.gate) {
			while (this.frozen) {
				this.gate.wait();
			}
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// already closed
		}
	}

}
