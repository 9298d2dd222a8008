package dev.tokenarena.simulator;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Aggregates request bodies up to a limit and answers 413 with a JSON error that names the
 * limit (Netty's default 413 has an empty body). The connection is closed afterwards because the
 * rest of the oversized body would otherwise have to be read and thrown away.
 */
final class BoundedAggregator extends HttpObjectAggregator {

  private final int maxBytes;

  BoundedAggregator(int maxBytes) {
    super(maxBytes);
    this.maxBytes = maxBytes;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    FullHttpResponse response = SimulatorHandler.json(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        SimulatorHandler.openAiError("request body exceeds the limit of " + maxBytes + " bytes",
            "invalid_request_error", "request_too_large"));
    HttpUtil.setContentLength(response, response.content().readableBytes());
    HttpUtil.setKeepAlive(response, false);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
