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
 * A TCP proxy between the service and Redis that tests can cut: {@link #cut()} drops every connection
 * and refuses new ones (Redis "down" as the service sees it), {@link #restore()} accepts again. The test
 * context's Redis traffic always goes through it ({@link TestInfrastructure}). Plain threads, not the
 * event loop: this is the network, not the service.
 */
public final class RedisFaultProxy implements AutoCloseable {

	private final InetSocketAddress upstream;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private final int port;

	private volatile ServerSocket server;

	RedisFaultProxy(String upstreamHost, int upstreamPort) {
		this.upstream = new InetSocketAddress(upstreamHost, upstreamPort);
		this.server = listen(0);
		this.port = this.server.getLocalPort();
		acceptLoop(this.server);
	}

	private volatile boolean inUse = true;

	/**
	 * Whether the service reaches Redis through this proxy: not on a Redis Cluster
	 * ({@code SPRING_DATA_REDIS_CLUSTER_NODES}), where the client talks to every node itself.
	 */
	public boolean inUse() {
		return this.inUse;
	}

	void bypassed() {
		this.inUse = false;
	}

	/** The loopback port the service connects to. */
	public int port() {
		return this.port;
	}

	/** Drops every open connection and refuses new ones until {@link #restore()}. */
	public synchronized void cut() {
		closeQuietly(this.server);
		this.sockets.forEach(RedisFaultProxy::closeQuietly);
		this.sockets.clear();
	}

	/** Accepts connections again on the same port. */
	public synchronized void restore() {
		if (this.server.isClosed()) {
			this.server = listen(this.port);
			acceptLoop(this.server);
		}
	}

	@Override
	public void close() {
		cut();
	}

	private static ServerSocket listen(int port) {
		try {
			ServerSocket socket = new ServerSocket();
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
			return socket;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void acceptLoop(ServerSocket listening) {
		Thread thread = new Thread(() -> {
			while (!listening.isClosed()) {
				try {
					Socket client = listening.accept();
					Socket redis = new Socket(this.upstream.getAddress(), this.upstream.getPort());
					client.setTcpNoDelay(true);
					redis.setTcpNoDelay(true);
					synchronized (this) {
						if (listening.isClosed()) {
							// cut() ran while this connection was being set up: it must not survive the cut
							closeQuietly(client);
							closeQuietly(redis);
							continue;
						}
						this.sockets.add(client);
						this.sockets.add(redis);
					}
					pump(client, redis);
					pump(redis, client);
				}
				catch (IOException ex) {
					// closed by cut(), or Redis itself refused: the client sees a dropped connection
				}
			}
		}, "redis-proxy-accept");
		thread.setDaemon(true);
		thread.start();
	}

	private void pump(Socket from, Socket to) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16 * 1024];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int n;
				while ((n = in.read(buffer)) >= 0) {
					out.write(buffer, 0, n);
					out.flush();
				}
			}
			catch (IOException ex) {
				// one side closed
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
				this.sockets.remove(from);
				this.sockets.remove(to);
			}
		}, "redis-proxy-pump");
		thread.setDaemon(true);
		thread.start();
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
