package dev.mooring.hub.http;

import dev.mooring.hub.api.ApiException;
import dev.mooring.hub.api.HubApi;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * One request in, one response out: {@code /api/v1/...} goes to {@link HubApi}, everything else is
 * the page (three static files). API calls wait for the store, so they run on {@code apiThreads},
 * never on the event loop; the response is written from there (netty hands it to the loop).
 */
@ChannelHandler.Sharable
final class HubHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private record Asset(byte[] body, String type) {}

    /** The page's Content-Security-Policy: nothing but this origin, no inline script. */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
            + " img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private final HubApi api;
    private final Executor apiThreads;
    private final Consumer<String> log;
    private final Map<String, Asset> assets;

    HubHandler(HubApi api, Executor apiThreads, Consumer<String> log) {
        this.api = api;
        this.apiThreads = apiThreads;
        this.log = log;
        this.assets = Map.of(
                "/", asset("index.html", "text/html; charset=utf-8"),
                "/index.html", asset("index.html", "text/html; charset=utf-8"),
                "/hub.js", asset("hub.js", "text/javascript; charset=utf-8"),
                "/hub.css", asset("hub.css", "text/css; charset=utf-8"));
    }

    private static Asset asset(String name, String type) {
        try (InputStream in = HubHandler.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the hub page's " + name + " is missing from the jar");
            }
            return new Asset(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the hub page's " + name, e);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            HubApi.Answer a = HubApi.Answer.error(ApiException.badRequest("the request is not valid HTTP: "
                    + request.decoderResult().cause().getMessage()));
            send(ctx, response(HttpResponseStatus.BAD_REQUEST, a.body(), "application/json", false), false);
            return;
        }
        String uri = request.uri();
        String method = request.method().name();
        if (uri.startsWith(HubApi.PREFIX + "/") || uri.equals(HubApi.PREFIX)) {
            // Copied out: the request is released when this method returns.
            byte[] body = ByteBufUtil.getBytes(request.content());
            Optional<String> authorization = Optional.ofNullable(request.headers().get(HttpHeaderNames.AUTHORIZATION));
            try {
                apiThreads.execute(() -> {
                    HubApi.Answer answer = api.handle(method, uri, authorization, body);
                    FullHttpResponse r = response(HttpResponseStatus.valueOf(answer.status()), answer.body(),
                            answer.body().length == 0 ? null : "application/json", keepAlive);
                    if (answer.status() == 401) {
                        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"mooring-hub\"");
                    }
                    send(ctx, r, keepAlive);
                });
            } catch (RejectedExecutionException e) {
                HubApi.Answer a = HubApi.Answer.error(new ApiException(503, "busy",
                        "the hub has too many requests waiting; retry in a moment"));
                send(ctx, response(HttpResponseStatus.SERVICE_UNAVAILABLE, a.body(), "application/json", false), false);
            }
            return;
        }
        int query = uri.indexOf('?');
        Asset asset = assets.get(query < 0 ? uri : uri.substring(0, query));
        if (asset == null || !(method.equals("GET") || method.equals("HEAD"))) {
            HubApi.Answer a = HubApi.Answer.error(asset == null
                    ? ApiException.notFound("no such page: " + uri + "; the hub's page is at /, its API under /api/v1/")
                    : new ApiException(405, "method-not-allowed", method + " is not allowed on " + uri + "; use GET"));
            send(ctx, response(HttpResponseStatus.valueOf(a.status()), a.body(), "application/json", keepAlive), keepAlive);
            return;
        }
        FullHttpResponse r = response(HttpResponseStatus.OK, method.equals("HEAD") ? new byte[0] : asset.body(), asset.type(), keepAlive);
        r.headers().set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CSP);
        r.headers().set("Referrer-Policy", "no-referrer");
        send(ctx, r, keepAlive);
    }

    static FullHttpResponse response(HttpResponseStatus status, byte[] body, String type, boolean keepAlive) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        if (type != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        }
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().set("X-Content-Type-Options", "nosniff");
        HttpUtil.setKeepAlive(r, keepAlive);
        return r;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
        var f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset connection or a TLS handshake from a client that does not trust us: not worth a stack trace.
        if (!(cause instanceof IOException) && !(cause instanceof javax.net.ssl.SSLException)
                && !(cause.getCause() instanceof javax.net.ssl.SSLException)) {
            log.accept("connection from " + ctx.channel().remoteAddress() + " failed: " + cause);
        }
        ctx.close();
    }
}
