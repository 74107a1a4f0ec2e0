package dev.mooring.hub.http;

import dev.mooring.hub.api.ApiException;
import dev.mooring.hub.api.HubApi;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.TimeUnit;

/** Netty's aggregator, answering an oversized body with the API's JSON 413 and then closing the connection. */
final class BodyLimit extends HttpObjectAggregator {

    private final int max;

    BodyLimit(int max) {
        super(max, true);
        this.max = max;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        HubApi.Answer answer = HubApi.Answer.error(new ApiException(413, "too-large",
                "the request body is larger than " + max / 1024 + " KiB; the API's bodies are small JSON objects"));
        // Closed a moment later, not at once: the client is usually still sending the body, and a
        // connection closed under it loses the answer (a reset). Meanwhile the aggregator discards the rest.
        ctx.writeAndFlush(HubHandler.response(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, answer.body(),
                        "application/json", false))
                .addListener(f -> ctx.channel().eventLoop().schedule(() -> ctx.close(), 2, TimeUnit.SECONDS));
    }
}
