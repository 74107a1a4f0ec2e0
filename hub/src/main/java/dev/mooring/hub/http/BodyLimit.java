package dev.mooring.hub.http;

import dev.mooring.hub.api.ApiException;
import dev.mooring.hub.api.HubApi;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/** Netty's aggregator, answering an oversized body with the API's JSON 413 and closing the connection. */
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
        ctx.writeAndFlush(HubHandler.response(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, answer.body(),
                        "application/json", false))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
