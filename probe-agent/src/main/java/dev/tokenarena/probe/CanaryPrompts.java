package dev.tokenarena.probe;

import java.util.List;

/**
 * Fixed canary prompts, sent at temperature 0 so a change of the response hash hints at a changed
 * model or serving stack. Short, unambiguous answers keep run-to-run noise low. Append only: a
 * prompt's index is its canary id, and reordering would break every baseline downstream.
 */
final class CanaryPrompts {

    static final List<String> PROMPTS = List.of(
            "List the first ten prime numbers, separated by commas, and nothing else.",
            "Translate into French: 'The library opens at nine in the morning.' Reply with the translation only.",
            "Write a Python function named add that returns the sum of two integers. Reply with code only.",
            "Name the planets of the solar system in order from the sun, one per line.",
            "What is 17 multiplied by 23? Show the steps briefly, then the result.",
            "Explain in two sentences why the sky is blue.",
            "Spell the word 'encyclopedia' backwards, one letter per line.",
            "Give the chemical symbols of hydrogen, helium, lithium, beryllium and boron, separated by spaces.");

    static final int COUNT = PROMPTS.size();

    private CanaryPrompts() {
    }

    static String id(int index) {
        return "canary-" + index;
    }
}
