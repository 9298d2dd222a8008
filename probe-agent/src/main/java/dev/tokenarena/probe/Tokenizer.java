package dev.tokenarena.probe;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * The local tokenizer (o200k). Counts treat special-token strings as ordinary text: a response
 * may contain "<|endoftext|>" and must still be countable. Thread-safe.
 */
final class Tokenizer {

    static final Tokenizer O200K = new Tokenizer(
            Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE));

    private final Encoding encoding;

    private Tokenizer(Encoding encoding) {
        this.encoding = encoding;
    }

    int count(String text) {
        return text == null || text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
    }
}
