package dev.tokenarena.scoring.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.serde.AvroJson;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
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
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one request. Runs on a separate executor group, never on the I/O loop, because local
 * store reads and peer calls block.
 *
 * <p>Public routes: {@code /} and {@code /dashboard} (the dashboard page), {@code /health},
 * {@code /leaderboard/{preset}[?window=W]},
 * {@code /endpoints/{id}[?history_hours=H]}, {@code /alerts[?state=OPEN|RESOLVED]},
 * {@code /alerts/stream} (SSE). Internal routes ({@code /internal/...}) answer from local stores
 * only and are what peers call.
 */
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    /** Longest history an endpoint request may ask for: the 7-day window. */
    static final int MAX_HISTORY_HOURS = 168;
    static final int DEFAULT_HISTORY_HOURS = 24;
    private static final long HOUR_MS = 3_600_000L;

    private final Supplier<Backend> backend;
    private final DashboardPage dashboard;

    /** What the handler reads; null from the supplier until the streams client is attached. */
    record Backend(StoreRouter router, ApiStores stores, AlertFeed feed, PeerClient peers) {
    }

    /**
     * What a path asks for. One table for dispatch and for the dashboard test, which checks every
     * path the page requests against it.
     */
    enum Route {
        DASHBOARD, HEALTH, LEADERBOARD, ENDPOINT, ALERTS, ALERT_STREAM, INTERNAL_KV, INTERNAL_ALL, INTERNAL_WINDOWS,
        UNKNOWN;

        static Route of(String path) {
            if (path.equals("/") || path.equals("/dashboard")) {
                return DASHBOARD;
            } else if (path.equals("/health")) {
                return HEALTH;
            } else if (path.startsWith("/leaderboard/")) {
                return LEADERBOARD;
            } else if (path.startsWith("/endpoints/")) {
                return ENDPOINT;
            } else if (path.equals("/alerts")) {
                return ALERTS;
            } else if (path.equals("/alerts/stream")) {
                return ALERT_STREAM;
            } else if (path.equals(StoreRouter.INTERNAL_KV)) {
                return INTERNAL_KV;
            } else if (path.equals(StoreRouter.INTERNAL_ALL)) {
                return INTERNAL_ALL;
            } else if (path.equals(StoreRouter.INTERNAL_WINDOWS)) {
                return INTERNAL_WINDOWS;
            }
            return UNKNOWN;
        }
    }

    ApiHandler(Supplier<Backend> backend, DashboardPage dashboard) {
        this.backend = backend;
        this.dashboard = dashboard;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.method().equals(HttpMethod.GET)) {
            reply(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, error("only GET is supported"));
            return;
        }
        QueryStringDecoder q = new QueryStringDecoder(request.uri());
        String path = q.path();
        Route route = Route.of(path);
        // neither needs the streams client: a page that shows "starting" beats a 503, and an unknown
        // path stays unknown once the app is up, so a Retry-After would only invite retries
        if (route == Route.DASHBOARD) {
            ctx.writeAndFlush(dashboard.response()).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (route == Route.UNKNOWN) {
            reply(ctx, HttpResponseStatus.NOT_FOUND, error("unknown path; try /health, /leaderboard/{preset}, "
                    + "/endpoints/{id}, /alerts?state=OPEN, /alerts/stream, / (dashboard)"));
            return;
        }
        Backend b = backend.get();
        if (b == null) {
            unavailable(ctx, "the scoring app is starting");
            return;
        }
        boolean forwarded = request.headers().contains(PeerClient.FORWARDED_HEADER);
        try {
            switch (route) {
                case HEALTH -> health(ctx, b);
                case LEADERBOARD -> leaderboard(ctx, b, path.substring("/leaderboard/".length()), param(q, "window"),
                        request.uri(), forwarded);
                case ENDPOINT -> endpoint(ctx, b, path.substring("/endpoints/".length()), param(q, "history_hours"));
                case ALERTS -> alerts(ctx, b, param(q, "state"));
                case ALERT_STREAM -> stream(ctx, b);
                case INTERNAL_KV -> {
                    b.router().requireLocal(required(q, "store"), required(q, "pk"));
                    JsonNode v = StoreRouter.toJson(b.router().localGet(required(q, "store"), required(q, "key")));
                    if (v == null) {
                        reply(ctx, HttpResponseStatus.NOT_FOUND, error("no such key"));
                    } else {
                        reply(ctx, HttpResponseStatus.OK, v.toString());
                    }
                }
                case INTERNAL_ALL -> reply(ctx, HttpResponseStatus.OK, b.router().localAll(required(q, "store")).toString());
                case INTERNAL_WINDOWS -> {
                    b.router().requireLocal(required(q, "store"), required(q, "key"));
                    reply(ctx, HttpResponseStatus.OK, b.router().localWindows(required(q, "store"), required(q, "key"),
                            Long.parseLong(required(q, "from")), Long.parseLong(required(q, "to")), b.stores()).toString());
                }
                default -> throw new IllegalStateException("route " + route + " answered above");
            }
        } catch (Unavailable e) {
            unavailable(ctx, e.getMessage());
        } catch (BadRequest | NumberFormatException e) {
            reply(ctx, HttpResponseStatus.BAD_REQUEST, error(e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("API request {} failed", request.uri(), e);
            reply(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, error(String.valueOf(e.getMessage())));
        }
    }

    private static void health(ChannelHandlerContext ctx, Backend b) {
        KafkaStreams.State state = b.router().state();
        ObjectNode node = AvroJson.MAPPER.createObjectNode();
        node.put("status", state == KafkaStreams.State.RUNNING ? "UP" : "DOWN");
        node.put("streams_state", state.name());
        node.put("instance", b.router().self().toString());
        node.put("alert_stream_subscribers", b.feed().subscriberCount());
        reply(ctx, state == KafkaStreams.State.RUNNING ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                node.toString());
    }

    /** A whole preset lives in one partition: answer here or relay the owner's answer. */
    private static void leaderboard(ChannelHandlerContext ctx, Backend b, String preset, String window, String uri,
                                    boolean forwarded) {
        ApiStores s = b.stores();
        if (window != null && !window.matches("[0-9a-z]{1,8}")) {
            throw new BadRequest("window must be a window label such as 1h, 24h or 7d");
        }
        if (!s.presets().contains(preset)) {
            reply(ctx, HttpResponseStatus.NOT_FOUND, error("unknown preset '" + bounded(preset) + "'; presets: "
                    + s.presets()));
            return;
        }
        HostInfo owner = b.router().owner(s.leaderboardStore(), preset);
        if (!b.router().isSelf(owner)) {
            if (forwarded) {
                throw new Unavailable("preset " + preset + " moved during the request; retry");
            }
            PeerClient.Reply r = b.peers().get(owner, uri);
            reply(ctx, HttpResponseStatus.valueOf(r.status()), r.body());
            return;
        }
        // the store holds one board per (preset, window): key preset + sep + window + sep + endpoint
        String board = window == null ? Topics.MAIN_WINDOW : window;
        List<EndpointComposite> rows = new ArrayList<>();
        for (KeyValue<String, EndpointComposite> kv : b.router().<EndpointComposite>localPrefix(s.leaderboardStore(),
                s.compoundKey(s.compoundKey(preset, board), ""))) {
            rows.add(kv.value);
        }
        LeaderboardSnapshot snapshot = rows.isEmpty() ? null : s.leaderboard().snapshot(preset, rows);
        if (snapshot == null) {
            reply(ctx, HttpResponseStatus.NOT_FOUND, error("no leaderboard yet for preset '" + preset + "'"
                    + (window == null ? "" : " and window '" + bounded(window) + "'")));
            return;
        }
        ObjectNode node = AvroJson.toTree(snapshot);
        node.put("served_by", b.router().self().toString());
        reply(ctx, HttpResponseStatus.OK, node.toString());
    }

    /** Parts of an endpoint live in several partitions (by endpoint, by preset): gathered per key. */
    private static void endpoint(ChannelHandlerContext ctx, Backend b, String id, String hoursParam) {
        if (id.isEmpty() || id.length() > 200) {
            throw new BadRequest("endpoint id must be 1 to 200 characters");
        }
        int hours = hoursParam == null ? DEFAULT_HISTORY_HOURS : Integer.parseInt(hoursParam);
        if (hours < 0 || hours > MAX_HISTORY_HOURS) {
            throw new BadRequest("history_hours must be in [0, " + MAX_HISTORY_HOURS + "], was " + hours);
        }
        ApiStores s = b.stores();
        StoreRouter r = b.router();
        ObjectNode node = AvroJson.MAPPER.createObjectNode();
        node.put("endpoint_id", id);
        boolean found = false;
        ObjectNode tables = node.putObject("stats");
        for (String store : s.endpointStores()) {
            JsonNode v = r.get(store, id, id);
            tables.set(store, v);
            found |= v != null;
        }
        ObjectNode composites = node.putObject("composites");
        long latestWindowEnd = -1;
        for (String preset : s.presets()) {
            JsonNode c = r.get(s.leaderboardStore(), preset, s.compoundKey(s.compoundKey(preset, Topics.MAIN_WINDOW), id));
            composites.set(preset, c);
            if (c != null) {
                found = true;
                latestWindowEnd = Math.max(latestWindowEnd, c.path("window_end_ms").asLong(-1));
            }
        }
        if (!found) {
            reply(ctx, HttpResponseStatus.NOT_FOUND, error("nothing known about endpoint '" + bounded(id) + "'"));
            return;
        }
        ArrayNode history = node.putArray("history");
        if (hours > 0 && latestWindowEnd > 0) {
            // history up to the newest composite's window, in event time (no wall clock)
            long to = latestWindowEnd;
            r.windows(s.probeWindowsStore(), id, to - hours * HOUR_MS, to, s)
                    .forEach(history::add);
        }
        reply(ctx, HttpResponseStatus.OK, node.toString());
    }

    private static void alerts(ChannelHandlerContext ctx, Backend b, String state) {
        if (state != null && !state.equals("OPEN") && !state.equals("RESOLVED")) {
            throw new BadRequest("state must be OPEN or RESOLVED");
        }
        char sep = b.stores().keySeparator();
        List<ObjectNode> rows = new ArrayList<>();
        for (JsonNode kv : b.router().all(b.stores().alertStore())) {
            JsonNode v = kv.get("value");
            boolean open = v.path("open").asBoolean(false);
            if (state != null && open != state.equals("OPEN")) {
                continue;
            }
            String key = kv.get("key").asText();
            int at = key.indexOf(sep);
            ObjectNode row = AvroJson.MAPPER.createObjectNode();
            row.put("endpoint_id", at < 0 ? key : key.substring(0, at));
            row.put("kind", at < 0 ? "" : key.substring(at + 1));
            row.put("state", open ? "OPEN" : "RESOLVED");
            row.setAll((ObjectNode) v);
            row.remove("open");
            rows.add(row);
        }
        rows.sort(Comparator.comparing((ObjectNode n) -> n.get("endpoint_id").asText())
                .thenComparing(n -> n.get("kind").asText()));
        ArrayNode out = AvroJson.MAPPER.createArrayNode();
        rows.forEach(out::add);
        reply(ctx, HttpResponseStatus.OK, out.toString());
    }

    private static void stream(ChannelHandlerContext ctx, Backend b) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        HttpUtil.setTransferEncodingChunked(head, true);
        if (!b.feed().subscribe(ctx.channel())) {
            unavailable(ctx, "too many /alerts/stream subscribers (limit " + AlertFeed.MAX_SUBSCRIBERS + ")");
            return;
        }
        ctx.write(head);
        // a comment line so clients see the stream open before the first alert
        ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultHttpContent(
                Unpooled.copiedBuffer(": subscribed\n\n", StandardCharsets.UTF_8)));
    }

    private static String param(QueryStringDecoder q, String name) {
        List<String> values = q.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String required(QueryStringDecoder q, String name) {
        String v = param(q, name);
        if (v == null) {
            throw new BadRequest("missing parameter '" + name + "'");
        }
        return v;
    }

    /** Echoed user input is capped so an error body stays small. */
    private static String bounded(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    static String error(String message) {
        ObjectNode node = AvroJson.MAPPER.createObjectNode();
        node.put("error", message);
        return node.toString();
    }

    private static void unavailable(ChannelHandlerContext ctx, String message) {
        FullHttpResponse response = response(HttpResponseStatus.SERVICE_UNAVAILABLE, error(message));
        response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    static void reply(ChannelHandlerContext ctx, HttpResponseStatus status, String json) {
        ctx.writeAndFlush(response(status, json)).addListener(ChannelFutureListener.CLOSE);
    }

    private static FullHttpResponse response(HttpResponseStatus status, String json) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }

    /** A request the client must change. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }
}
