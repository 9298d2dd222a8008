package dev.tokenarena.eval;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Local token counts (o200k_base, shipped in the jtokkit jar) for servers that send no
 * {@code usage}. An approximation for non-OpenAI tokenizers, but far better than zero, which
 * would make an endpoint look free.
 */
final class LocalTokens {

    private static final Encoding O200K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    private LocalTokens() {
    }

    static int count(String text) {
        return text == null || text.isEmpty() ? 0 : O200K.countTokensOrdinary(text);
    }
}
