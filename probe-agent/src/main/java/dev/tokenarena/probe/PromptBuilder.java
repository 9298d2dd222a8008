package dev.tokenarena.probe;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds prompts of an exact o200k token count. The filler is a run of common English words,
 * each a single token with its leading space, so every word is its own pre-token and adds
 * exactly one token: the length is known by construction, then checked with a real count.
 * Every prompt opens with a caller-supplied nonce line so no provider prefix cache can hit.
 */
final class PromptBuilder {

    /** Candidate filler words; those that are not one o200k token with a leading space are dropped. */
    private static final String[] CANDIDATES = ("time year people way day man thing woman life child world school "
            + "state family student group country problem hand part place case week company system program "
            + "question work government number night point home water room mother area money story fact month "
            + "lot right study book eye job word business issue side kind head house service friend father power "
            + "hour game line end member law car city community name president team minute idea kid body "
            + "information back parent face others level office door health person art war history party result "
            + "change morning reason research girl guy moment air teacher force education river mountain garden "
            + "light window table paper music market road field voice letter summer winter bridge stone forest")
            .split(" ");

    static final List<String> WORDS;

    static {
        List<String> words = new ArrayList<>();
        for (String w : CANDIDATES) {
            if (Tokenizer.O200K.count(" " + w) == 1 && Tokenizer.O200K.count(" " + w + " " + w) == 2) {
                words.add(" " + w);
            }
        }
        WORDS = List.copyOf(words);
    }

    private final Tokenizer tokenizer;

    PromptBuilder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** A prompt and its local token count. */
    record Prompt(String text, int tokens) {
    }

    /**
     * {@code head} + filler (with {@code needle} at {@code depth}, 0..1, when not null) + {@code tail},
     * exactly {@code targetTokens} tokens long.
     *
     * @throws IllegalArgumentException when head, needle and tail alone are longer than the target
     */
    Prompt build(String head, String tail, String needle, double depth, int targetTokens) {
        int fixed = tokenizer.count(head) + tokenizer.count(tail) + (needle == null ? 0 : tokenizer.count(needle));
        int filler = targetTokens - fixed;
        if (filler < 0) {
            throw new IllegalArgumentException("a prompt of " + targetTokens + " tokens cannot hold its "
                    + fixed + " tokens of instructions");
        }
        // Word boundaries are pre-token boundaries, so the first guess is exact; the loop only
        // guards against a head or tail whose edge merges with the filler.
        for (int attempt = 0; attempt < 4 && filler >= 0; attempt++) {
            String text = assemble(head, tail, needle, depth, filler);
            int tokens = tokenizer.count(text);
            if (tokens == targetTokens) {
                return new Prompt(text, tokens);
            }
            filler += targetTokens - tokens;
        }
        throw new IllegalStateException("cannot reach exactly " + targetTokens + " tokens with this head and tail");
    }

    private static String assemble(String head, String tail, String needle, double depth, int fillerWords) {
        int needleAt = needle == null ? -1 : (int) Math.round(Math.max(0, Math.min(1, depth)) * fillerWords);
        StringBuilder sb = new StringBuilder(head.length() + tail.length() + fillerWords * 8 + 64).append(head);
        int n = WORDS.size();
        for (int i = 0; i <= fillerWords; i++) {
            if (i == needleAt) {
                sb.append(needle);
            }
            if (i < fillerWords) {
                // A fixed stride through the word list: varied text, identical for every call.
                sb.append(WORDS.get((int) ((i * 37L + i / n) % n)));
            }
        }
        return sb.append(tail).toString();
    }
}
