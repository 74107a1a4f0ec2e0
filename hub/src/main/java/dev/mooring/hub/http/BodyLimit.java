package dev.mooring.hub.http;

import dev.mooring.hub.api.ApiException;
import dev.mooring.hub.api.HubApi;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.TimeUnit;

/** Netty's aggregator, answering an oversized body with the API's JSON 413 and then closing the connection. */
final class BodyLimit extends HttpObjectAggregator {

    /** A client that never finishes sending its oversized body is cut off after this. */
    private static final long DISCARD_AT_MOST_SECONDS = 30;

    private final int max;
    private boolean closeAfterBody;

    BodyLimit(int max) {
        super(max, true);
        this.max = max;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        HubApi.Answer answer = HubApi.Answer.error(new ApiException(413, "too-large",
                "the request body is larger than " + max / 1024 + " KiB; the API's bodies are small JSON objects"));
        // Closed once the client has sent the whole body (the aggregator discards it), not at once: a
        // connection closed while the client still sends makes the kernel answer with a reset, and the
        // client loses the 413 it has not read yet (seen on a loaded machine with a 2 s grace).
        closeAfterBody = true;
        ctx.writeAndFlush(HubHandler.response(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, answer.body(),
                        "application/json", false))
                .addListener(f -> ctx.channel().eventLoop().schedule(() -> ctx.close(), DISCARD_AT_MOST_SECONDS, TimeUnit.SECONDS));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        boolean last = msg instanceof LastHttpContent;
        super.channelRead(ctx, msg);
        if (last && closeAfterBody) {
            ctx.close();
        }
    }
}
