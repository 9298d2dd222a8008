package dev.tokenarena.simulator;

/**
 * Turns a {@link Plan} into bytes of one wire format. A stream is {@link #open} (sent with the
 * headers), one {@link #token} frame group per token at its due time, and {@link #close} right
 * after the last token; {@link #body} is the non-streaming answer.
 */
interface WireRenderer {

  String open(Plan plan);

  String token(Plan plan, int index);

  String close(Plan plan);

  String body(Plan plan);

  static WireRenderer of(ApiRequest.Route route, WireStyle style) {
    if (route == ApiRequest.Route.MESSAGES || style == WireStyle.ANTHROPIC) {
      return AnthropicRenderer.INSTANCE;
    }
    return route == ApiRequest.Route.CHAT ? new ChatRenderer(style) : new CompletionsRenderer(style);
  }
}
