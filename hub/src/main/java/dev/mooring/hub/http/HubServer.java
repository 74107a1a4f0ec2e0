package dev.mooring.hub.http;

import dev.mooring.hub.api.HubApi;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The hub's HTTP(S) server: netty's HTTP codec, a 64 KiB body cap, and the API and the page on a
 * separate group of threads, because every API call waits for the store and the event loop must
 * never wait.
 */
public final class HubServer implements AutoCloseable {

    /** The largest request body; a larger one is answered 413. */
    public static final int MAX_BODY = 64 * 1024;
    private static final int STORE_THREADS = 16;
    private static final int QUEUE = 20_000;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService blocking;
    private final Channel channel;
    private final boolean tls;
    private final ChannelGroup connections;

    private HubServer(EventLoopGroup boss, EventLoopGroup workers, ExecutorService blocking, Channel channel, boolean tls,
                      ChannelGroup connections) {
        this.connections = connections;
        this.boss = boss;
        this.workers = workers;
        this.blocking = blocking;
        this.channel = channel;
        this.tls = tls;
    }

    /** A TLS context from PEM files (JDK provider: no native library needed). */
    public static SslContext tls(Path certificateChain, Path privateKey) throws IOException {
        try {
            return SslContextBuilder.forServer(certificateChain.toFile(), privateKey.toFile())
                    .sslProvider(SslProvider.JDK).build();
        } catch (IllegalArgumentException | javax.net.ssl.SSLException e) {
            throw new IOException("cannot use the TLS certificate " + certificateChain + " and key " + privateKey + ": "
                    + e.getMessage() + " (both PEM; the key PKCS#8 or PKCS#1, unencrypted)", e);
        }
    }

    public static HubServer start(InetSocketAddress listen, Optional<SslContext> tls, HubApi api, Consumer<String> log)
            throws IOException {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        // Bounded in threads and in waiting requests: beyond that a client gets 503 and retries.
        ExecutorService blocking = new ThreadPoolExecutor(STORE_THREADS, STORE_THREADS, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), Thread.ofPlatform().name("hub-api-", 0).daemon().factory());
        HubHandler handler = new HubHandler(api, blocking, log);
        ChannelGroup connections = new DefaultChannelGroup("hub-connections", GlobalEventExecutor.INSTANCE);
        try {
            Channel channel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.add(ch);
                            ChannelPipeline p = ch.pipeline();
                            tls.ifPresent(ctx -> p.addLast("tls", ctx.newHandler(ch.alloc())));
                            // Idle keep-alive connections are closed after 5 minutes.
                            p.addLast("idle", new IdleStateHandler(0, 0, 300, TimeUnit.SECONDS));
                            p.addLast("http", new HttpServerCodec(4096, 16 * 1024, 8192));
                            // The body limit sits before the keep-alive handler: its 413 carries "Connection:
                            // close", on which that handler would close at once, while the client still sends.
                            p.addLast("body", new BodyLimit(MAX_BODY));
                            p.addLast("keepalive", new HttpServerKeepAliveHandler());
                            p.addLast("api", handler);
                        }
                    })
                    .bind(listen).sync().channel();
            return new HubServer(boss, workers, blocking, channel, tls.isPresent(), connections);
        } catch (Exception e) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            blocking.shutdownNow();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("cannot listen on " + listen.getHostString() + ":" + listen.getPort() + ": "
                    + e.getMessage() + " (is another hub running there? choose another --listen)", e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** The URL clients use, with the bound port. */
    public String url() {
        InetSocketAddress a = address();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return (tls ? "https" : "http") + "://" + host + ":" + a.getPort();
    }

    public void awaitClose() throws InterruptedException {
        channel.closeFuture().sync();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        // Connections first, while the threads their handlers run on still exist.
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        blocking.shutdown();
        try {
            if (!blocking.awaitTermination(5, TimeUnit.SECONDS)) {
                blocking.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
