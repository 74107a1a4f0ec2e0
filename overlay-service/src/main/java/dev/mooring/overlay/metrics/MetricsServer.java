package dev.mooring.overlay.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Serves {@code GET /metrics} in the Prometheus text format on a loopback address (netty, one
 * thread, epoll where available). Any other path is 404, any other method 405. The page is
 * rendered anew for every request, so a scrape always sees the current figures.
 */
public final class MetricsServer implements AutoCloseable {

    public static final String PATH = "/metrics";
    /** A GET carries no body; anything larger is not a scrape. */
    private static final int MAX_REQUEST = 8192;

    private final EventLoopGroup group;
    private final Channel channel;

    private MetricsServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Listens on {@code listen} (port 0 picks a free one: see {@link #address()}).
     *
     * @param page renders the metrics page; called on the server's thread for every scrape
     * @throws IOException when the address cannot be bound (e.g. the port is taken)
     */
    public static MetricsServer start(InetSocketAddress listen, Supplier<String> page) throws IOException {
        Objects.requireNonNull(page, "page");
        if (!listen.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("listen: the metrics endpoint has no authentication and listens on loopback only, got " + listen);
        }
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("mooring-metrics", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST), new Scrape(page));
                    }
                });
        ChannelFuture bound = bootstrap.bind(listen).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("cannot listen on " + listen.getAddress().getHostAddress() + ":" + listen.getPort()
                    + " for metrics: " + bound.cause().getMessage() + "; pick a free port in metrics: (overlay.yaml) or write metrics: off",
                    bound.cause());
        }
        return new MetricsServer(group, bound.channel());
    }

    /** The address actually bound. */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** {@code http://127.0.0.1:9647/metrics}. */
    public String url() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + PATH;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(4, TimeUnit.SECONDS);
    }

    private static final class Scrape extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Supplier<String> page;

        Scrape(Supplier<String> page) {
            this.page = page;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            FullHttpResponse response;
            boolean head = request.method().equals(HttpMethod.HEAD);
            if (!request.decoderResult().isSuccess()) {
                response = text(HttpResponseStatus.BAD_REQUEST, "bad request\n", false);
            } else if (!request.method().equals(HttpMethod.GET) && !head) {
                response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET " + PATH + "\n", false);
                response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            } else if (!new QueryStringDecoder(request.uri()).path().equals(PATH)) {
                response = text(HttpResponseStatus.NOT_FOUND, "not found; the metrics are at " + PATH + "\n", false);
            } else {
                response = text(HttpResponseStatus.OK, page.get(), head);
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, PrometheusText.CONTENT_TYPE);
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
            if (keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A scraper that hangs up mid-request costs its own connection, nothing more.
            ctx.close();
        }

        private static FullHttpResponse text(HttpResponseStatus status, String body, boolean headOnly) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ByteBuf content = headOnly ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            return response;
        }
    }
}
