#!/usr/bin/env python3
"""Generates the fingerprint reference prompt set fp-v1 (1,024 short prompts, one per line).

Deterministic on purpose: fp-v1 is a versioned contract (prompt_id fp-v1-NNNN is the line index),
so re-running this script must reproduce the shipped file byte for byte. No randomness, no
network; the prompts are self-written templates over small self-written word lists. Changing
anything here means a new set (fp-v2), never an edit of fp-v1.

Usage: python3 gen_fp_prompts.py > ../src/main/resources/fingerprints/fp-v1.txt
"""

ANIMALS = ["fox", "otter", "heron", "badger", "camel", "lynx", "walrus", "sparrow"]
PLACES = ["river", "market", "old bridge", "desert road", "library", "harbour", "meadow", "train yard"]
WORDS = ["harbor", "lantern", "whisper", "granite", "velvet", "orbit", "thistle", "compass",
         "ember", "quarry", "mosaic", "tundra", "saddle", "beacon", "ripple", "canopy"]
ADJECTIVES = ["ancient", "brittle", "generous", "hollow", "narrow", "quiet", "rigid", "shallow",
              "humble", "fragile", "rapid", "distant", "bitter", "clumsy", "eager", "vivid"]
THINGS = ["rivers in Europe", "kitchen tools", "prime numbers", "musical instruments",
          "programming languages", "planets", "types of cloud", "board games",
          "mountain ranges", "chemical elements", "breeds of dog", "sorting algorithms",
          "shades of blue", "ocean currents", "hand tools", "vegetables"]
PHRASES = ["the door is open", "I like green tea", "where is the station", "the bread is warm",
           "we walk at night", "my brother reads", "the sky is grey", "close the window"]
LANGS = ["French", "Spanish", "German", "Italian", "Portuguese", "Dutch", "Swedish", "Polish"]
TASKS = ["reverses a string s", "sums a list xs", "counts vowels in s", "squares every item in xs",
         "removes duplicates from xs", "sorts words by length", "finds the max of xs",
         "joins xs with commas", "checks if n is even", "returns the last element of xs",
         "converts s to upper case", "flattens a list of lists xs", "reads a file named f",
         "swaps a and b", "filters negative numbers from xs", "zips keys and values"]
FACTS = ["water boils at one hundred degrees Celsius at sea level",
         "the moon orbits the earth roughly once a month",
         "bees communicate the location of flowers by dancing",
         "copper conducts electricity well and is used in wires",
         "glaciers carve valleys slowly over thousands of years",
         "the printing press made books far cheaper to produce",
         "octopuses have three hearts and blue blood",
         "a leap year adds one day to February",
         "sound travels faster in water than in air",
         "maple syrup is made by boiling down tree sap",
         "lighthouses warn ships away from dangerous coasts",
         "the heart pumps blood through the whole body",
         "trains replaced canals as the main freight route",
         "volcanic soil is often very fertile",
         "owls can turn their heads a long way around",
         "salt was once used as a form of payment"]
TOPICS = ["morning fog", "a cracked teacup", "winter stars", "an empty platform",
          "rain on tin", "a paper boat", "autumn wind", "a sleeping cat",
          "city lights", "low tide", "a rusty gate", "first snow",
          "a candle", "spring mud", "a lighthouse", "night trains"]
OBJECTS = ["a ripe banana", "a fire truck", "fresh snow", "a lime", "charcoal", "a clear sky at noon",
           "a pumpkin", "milk", "a crow", "grass in summer", "a stop sign", "an eggplant",
           "a school bus", "coal", "a flamingo", "a tomato"]
PROVERBS = ["A stitch in time", "Actions speak", "Better late", "Every cloud",
            "The early bird", "Don't count your chickens", "When in Rome", "Two heads",
            "Still waters", "A picture is worth", "Rome wasn't built", "Practice makes",
            "Curiosity killed", "Look before you", "Too many cooks", "Where there's smoke"]
UNITS = [("kilometres", "metres"), ("hours", "minutes"), ("kilograms", "grams"), ("litres", "millilitres"),
         ("feet", "inches"), ("days", "hours"), ("metres", "centimetres"), ("minutes", "seconds")]


def templates():
    """Sixteen families of 64 prompts each; each family indexes its lists differently."""
    fams = []
    fams.append([f"Complete the sentence: The {ANIMALS[i % 8]} crossed the {PLACES[(i // 8) % 8]} because"
                 for i in range(64)])
    fams.append([f"Name {2 + i // 16} {THINGS[i % 16]}." for i in range(64)])
    fams.append([f"Translate to {LANGS[i % 8]}: {PHRASES[(i // 8) % 8]}" for i in range(64)])
    fams.append([f"What is {7 + 13 * i} plus {3 + 29 * (i % 11)}?" for i in range(64)])
    fams.append([f"Write one line of Python that {TASKS[i % 16]}{'' if i < 16 else ', with a comment' if i < 32 else ' in a lambda' if i < 48 else ' without imports'}."
                 for i in range(64)])
    fams.append([f"Define the word '{WORDS[i % 16]}' in {['one sentence', 'five words', 'simple terms', 'a formal tone'][i // 16]}."
                 for i in range(64)])
    fams.append([f"Continue the sequence: {a}, {a + d}, {a + 2 * d}, {a + 3 * d},"
                 for a, d in ((1 + i, 2 + (i * 5) % 9) for i in range(64))])
    fams.append([f"Give {['a synonym', 'an antonym', 'a rhyme', 'a longer word'][i // 16]} for '{WORDS[(i * 3) % 16]}'."
                 for i in range(64)])
    fams.append([f"Summarize in {4 + i // 16} words: {FACTS[i % 16]}." for i in range(64)])
    fams.append([f"The opposite of {ADJECTIVES[i % 16]} is{['', ' usually', ' often said to be', ' in poetry'][i // 16]}"
                 for i in range(64)])
    fams.append([f"Write the first line of a haiku about {TOPICS[i % 16]}{['', ' at dawn', ' in the city', ' by the sea'][i // 16]}."
                 for i in range(64)])
    fams.append([f"Is {101 + 6 * i} a prime number? Answer yes or no." for i in range(64)])
    fams.append([f"Spell the word '{WORDS[i % 16]}' {['backwards', 'in capitals', 'with dashes between letters', 'one letter per line'][i // 16]}."
                 for i in range(64)])
    fams.append([f"In one word, what color is {OBJECTS[i % 16]}{['', ' usually', ' in a painting', ' at dusk'][i // 16]}?"
                 for i in range(64)])
    fams.append([f"Finish the proverb{['', ' and explain it briefly', ' in French', ' as a question'][i // 16]}: {PROVERBS[i % 16]}"
                 for i in range(64)])
    fams.append([f"Convert {2 + 3 * i} {UNITS[i % 8][0]} to {UNITS[i % 8][1]}." for i in range(64)])
    return fams


def main():
    fams = templates()
    # Interleave the families so any contiguous slice (a round's prompts) is varied.
    prompts = [fams[f][i] for i in range(64) for f in range(16)]
    assert len(prompts) == 1024 and len(set(prompts)) == 1024, "prompts must be 1,024 and distinct"
    assert all("\n" not in p and len(p) < 200 for p in prompts)
    print("\n".join(prompts))


if __name__ == "__main__":
    main()
