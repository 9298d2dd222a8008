package dev.tokenarena.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of one region. Answers one request at a time (pipelined requests wait in a
 * small bounded queue), computes the answer off the event loop (tokenizing a 100K-token prompt
 * takes tens of ms), then sends every part at its due time with {@code executor().schedule} —
 * never blocking, and cancelling the pending part when the connection closes.
 */
final class SimulatorHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(SimulatorHandler.class);
  private static final int MAX_QUEUED_REQUESTS = 16;
  private static final AtomicLong REQUEST_IDS = new AtomicLong();
  private static final String HTML_500 = "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n"
      + "<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n"
      + "</body>\r\n</html>\r\n";

  private final Fleet fleet;
  private final Planner planner;
  private final Executor compute;
  private final RegionListener region;
  private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private boolean busy;
  private Future<?> pending;
  /** The newest write of the current stream: a broken stream closes only after it completed. */
  private ChannelFuture lastWrite;

  SimulatorHandler(Fleet fleet, Planner planner, Executor compute, RegionListener region) {
    this.fleet = fleet;
    this.planner = planner;
    this.compute = compute;
    this.region = region;
  }

  /** The route and endpoint named by a request path, or null when the path is not a route. */
  record Target(String endpointId, ApiRequest.Route route) {
    static Target parse(String uri) {
      String path = new QueryStringDecoder(uri).path();
      int slash = path.indexOf('/', 1);
      if (!path.startsWith("/") || slash < 0) {
        return null;
      }
      String id = path.substring(1, slash);
      return switch (path.substring(slash)) {
        case "/v1/chat/completions" -> new Target(id, ApiRequest.Route.CHAT);
        case "/v1/completions" -> new Target(id, ApiRequest.Route.COMPLETIONS);
        case "/v1/messages" -> new Target(id, ApiRequest.Route.MESSAGES);
        default -> null;
      };
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (busy) {
      if (queued.size() >= MAX_QUEUED_REQUESTS) {
        LOG.debug("closing {}: more than {} pipelined requests", ctx.channel(), MAX_QUEUED_REQUESTS);
        ctx.close();
        return;
      }
      queued.add(request.retain());
      return;
    }
    handle(request, System.nanoTime());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
    FullHttpRequest r;
    while ((r = queued.poll()) != null) {
      r.release();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("closing {} after {}", ctx.channel(), cause.toString());
    ctx.close();
  }

  private void handle(FullHttpRequest request, long arrival) {
    busy = true;
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    Target target = Target.parse(request.uri());
    if (!request.decoderResult().isSuccess()) {
      sendLater(arrival, keepAlive, json(HttpResponseStatus.BAD_REQUEST, openAiError(
          "malformed HTTP request", "invalid_request_error", "bad_request")));
      return;
    }
    if (HttpMethod.GET.equals(request.method()) && "/healthz".equals(request.uri())) {
      FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.copiedBuffer("ok\n", StandardCharsets.UTF_8));
      ok.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
      send(ok, keepAlive);
      return;
    }
    if (target == null) {
      sendLater(arrival, keepAlive, json(HttpResponseStatus.NOT_FOUND, openAiError(
          "no route for " + new QueryStringDecoder(request.uri()).path()
              + "; use /{endpointId}/v1/chat/completions, /completions or /messages",
          "invalid_request_error", "not_found")));
      return;
    }
    SkuSpec spec = fleet.spec(target.endpointId());
    if (spec == null) {
      sendLater(arrival, keepAlive, json(HttpResponseStatus.NOT_FOUND, openAiError(
          "unknown endpoint '" + target.endpointId() + "'", "invalid_request_error",
          "endpoint_not_found")));
      return;
    }
    fleet.countRequest(spec.endpointId());
    boolean anthropic = target.route() == ApiRequest.Route.MESSAGES;
    if (!HttpMethod.POST.equals(request.method())) {
      sendLater(arrival, keepAlive, json(HttpResponseStatus.METHOD_NOT_ALLOWED,
          error(anthropic, "invalid_request_error", "use POST", "method_not_allowed")));
      return;
    }
    if (!authorized(spec, request)) {
      sendLater(arrival, keepAlive, json(HttpResponseStatus.UNAUTHORIZED,
          error(anthropic, "authentication_error", "missing or invalid API key", "invalid_api_key")));
      return;
    }
    Fleet.Draw draw = fleet.draw(spec);
    if (draw.outcome() == Fleet.Outcome.SERVER_ERROR) {
      FullHttpResponse html = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.INTERNAL_SERVER_ERROR, Unpooled.copiedBuffer(HTML_500, StandardCharsets.UTF_8));
      html.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html");
      sendLater(arrival, keepAlive, html);
      return;
    }
    if (draw.outcome() == Fleet.Outcome.RATE_LIMITED) {
      FullHttpResponse limited = json(HttpResponseStatus.TOO_MANY_REQUESTS,
          error(anthropic, "rate_limit_error", "rate limit reached, retry after 1 s", "rate_limit_exceeded"));
      limited.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
      sendLater(arrival, keepAlive, limited);
      return;
    }
    String body = request.content().toString(StandardCharsets.UTF_8);
    String requestId = Long.toHexString(System.currentTimeMillis()) + "-" + REQUEST_IDS.incrementAndGet();
    long created = System.currentTimeMillis() / 1000;
    try {
      compute.execute(() -> {
        Object outcome;
        try {
          JsonNode json = Json.MAPPER.readTree(body);
          ApiRequest parsed = ApiRequest.parse(target.route(), json);
          if (!spec.logprobs()) {
            parsed = parsed.withoutLogprobs();
          }
          outcome = planner.plan(spec, parsed, region.networkDelayMs(), draw.runSeed(), draw.broken(),
              idPrefix(target.route()) + requestId, created);
        } catch (JsonProcessingException e) {
          outcome = error(anthropic, "invalid_request_error", "body is not valid JSON", "bad_request");
        } catch (ApiRequest.BadRequest e) {
          outcome = error(anthropic, "invalid_request_error", e.getMessage(), "bad_request");
        } catch (RuntimeException bug) {
          // Degrade, never hang the connection: answer and keep serving.
          LOG.warn("simulator failed to plan a request to {}", spec.endpointId(), bug);
          outcome = bug;
        }
        Object result = outcome;
        ctx.executor().execute(() -> {
          if (result instanceof Plan plan) {
            start(plan, arrival, keepAlive, requestId);
          } else if (result instanceof RuntimeException) {
            sendLater(arrival, keepAlive, json(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                error(anthropic, "api_error", "simulator bug; see its log", "internal_error")));
          } else {
            sendLater(arrival, keepAlive, json(HttpResponseStatus.BAD_REQUEST, (ObjectNode) result));
          }
        });
      });
    } catch (RejectedExecutionException overloaded) {
      sendLater(arrival, keepAlive, json(HttpResponseStatus.SERVICE_UNAVAILABLE,
          error(anthropic, "overloaded_error", "simulator overloaded", "overloaded")));
    }
  }

  private void start(Plan plan, long arrival, boolean keepAlive, String requestId) {
    if (!ctx.channel().isActive()) {
      return;
    }
    WireRenderer renderer = WireRenderer.of(plan.request().route(), plan.spec().style());
    if (!plan.request().stream()) {
      at(arrival, plan.schedule().endNanos(), () -> {
        if (plan.breakAfterTokens() >= 0) {
          ctx.close();
          return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK, Unpooled.copiedBuffer(renderer.body(plan), StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        response.headers().set("x-request-id", requestId);
        send(response, keepAlive);
      });
      return;
    }
    at(arrival, plan.schedule().headersNanos(), () -> {
      HttpResponse headers = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      headers.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
      headers.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
      headers.headers().set("x-request-id", requestId);
      HttpUtil.setTransferEncodingChunked(headers, true);
      HttpUtil.setKeepAlive(headers, keepAlive);
      lastWrite = ctx.write(headers);
      String open = renderer.open(plan);
      if (!open.isEmpty()) {
        lastWrite = ctx.write(content(open));
      }
      ctx.flush();
      emit(plan, renderer, arrival, 0, keepAlive);
    });
  }

  /** Writes every token already due from {@code from} on in one flush, then waits for the next. */
  private void emit(Plan plan, WireRenderer renderer, long arrival, int from, boolean keepAlive) {
    long[] due = plan.schedule().tokenNanos();
    StringBuilder out = new StringBuilder();
    int i = from;
    long now = System.nanoTime();
    while (i < due.length && arrival + due[i] - now <= 0) {
      if (i == plan.breakAfterTokens()) {
        // A stream that dies mid-answer: no finish chunk, no [DONE], no terminating chunk.
        // Close only once every token written so far is on the wire: closing at once would fail
        // writes still queued behind a slow reader, and the stream would break earlier than planned.
        ChannelFuture last = out.length() > 0 ? ctx.writeAndFlush(content(out.toString())) : lastWrite;
        if (last == null) {
          ctx.close();
        } else {
          last.addListener(ChannelFutureListener.CLOSE);
        }
        return;
      }
      out.append(renderer.token(plan, i));
      i++;
    }
    if (i == due.length) {
      out.append(renderer.close(plan));
      ctx.write(content(out.toString()));
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(done(keepAlive));
      return;
    }
    if (out.length() > 0) {
      lastWrite = ctx.writeAndFlush(content(out.toString())).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
    int next = i;
    at(arrival, due[next], () -> emit(plan, renderer, arrival, next, keepAlive));
  }

  /** Runs the task on the event loop when {@code arrival + dueNanos} is reached. */
  private void at(long arrival, long dueNanos, Runnable task) {
    long delay = arrival + dueNanos - System.nanoTime();
    if (delay <= 0) {
      task.run();
      return;
    }
    pending = ctx.executor().schedule(() -> {
      pending = null;
      if (ctx.channel().isActive()) {
        task.run();
      }
    }, delay, TimeUnit.NANOSECONDS);
  }

  private void sendLater(long arrival, boolean keepAlive, FullHttpResponse response) {
    at(arrival, Math.round(region.networkDelayMs() * 1e6), () -> send(response, keepAlive));
  }

  private void send(FullHttpResponse response, boolean keepAlive) {
    HttpUtil.setContentLength(response, response.content().readableBytes());
    HttpUtil.setKeepAlive(response, keepAlive);
    ctx.writeAndFlush(response).addListener(done(keepAlive));
  }

  private ChannelFutureListener done(boolean keepAlive) {
    return f -> {
      if (!f.isSuccess() || !keepAlive) {
        f.channel().close();
        return;
      }
      busy = false;
      FullHttpRequest next = queued.poll();
      if (next != null) {
        try {
          handle(next, System.nanoTime());
        } finally {
          next.release();
        }
      }
    };
  }

  private DefaultHttpContent content(String text) {
    return new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), text));
  }

  private static boolean authorized(SkuSpec spec, FullHttpRequest request) {
    if (spec.apiKey() == null) {
      return true;
    }
    byte[] expected = spec.apiKey().getBytes(StandardCharsets.UTF_8);
    String bearer = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (bearer != null && bearer.regionMatches(true, 0, "Bearer ", 0, 7)
        && MessageDigest.isEqual(expected, bearer.substring(7).trim().getBytes(StandardCharsets.UTF_8))) {
      return true;
    }
    String xApiKey = request.headers().get("x-api-key");
    return xApiKey != null && MessageDigest.isEqual(expected, xApiKey.getBytes(StandardCharsets.UTF_8));
  }

  private static String idPrefix(ApiRequest.Route route) {
    return switch (route) {
      case CHAT -> "chatcmpl-";
      case COMPLETIONS -> "cmpl-";
      case MESSAGES -> "msg_";
    };
  }

  static FullHttpResponse json(HttpResponseStatus status, ObjectNode body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(Json.write(body), StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    return response;
  }

  private static ObjectNode error(boolean anthropic, String anthropicType, String message, String code) {
    if (anthropic) {
      ObjectNode body = Json.object();
      body.put("type", "error");
      body.putObject("error").put("type", anthropicType).put("message", message);
      return body;
    }
    return openAiError(message, code.equals("rate_limit_exceeded") ? "requests" : "invalid_request_error", code);
  }

  static ObjectNode openAiError(String message, String type, String code) {
    ObjectNode body = Json.object();
    body.putObject("error").put("message", message).put("type", type).putNull("param").put("code", code);
    return body;
  }
}
