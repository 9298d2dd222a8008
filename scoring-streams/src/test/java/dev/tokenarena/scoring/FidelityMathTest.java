package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.position;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class FidelityMathTest {

    private static final double EPS = 1e-6;

    @Test
    void shouldGiveZeroDivergenceAndFullFidelityWhenDistributionsAreIdentical() {
        var a = List.of(position("x", 0.6, "y", 0.3), position("y", 0.9));
        FidelityMath.Comparison c = FidelityMath.compare(a, a, EPS);
        // Identical vectors: every (p - q) ln(p / q) term is 0, so SKL = 0 and F = 100 e^0 = 100.
        assertEquals(0.0, c.meanSkl(), 1e-15);
        assertEquals(2, c.positions());
        assertEquals(100.0, FidelityMath.fidelity(c.meanSkl()), 1e-12);
    }

    @Test
    void shouldMatchHandWorkedJeffreysDivergenceWhenTwoTokenDistributionsDiffer() {
        // P = (x 0.5, y 0.5, other 0), Q = (x 0.8, y 0.2, other 0); epsilon 1e-6 moves the result
        // by about 1e-6 only. SKL = (0.5-0.8) ln(0.5/0.8) + (0.5-0.2) ln(0.5/0.2)
        //                         = (-0.3)(-0.470004) + 0.3 (0.916291) = 0.141001 + 0.274887 = 0.415888
        // F = 100 e^-0.415888 = 65.975
        var p = List.of(position("x", 0.5, "y", 0.5));
        var q = List.of(position("x", 0.8, "y", 0.2));
        FidelityMath.Comparison c = FidelityMath.compare(p, q, EPS);
        assertEquals(0.415888, c.meanSkl(), 1e-4);
        assertEquals(65.975, FidelityMath.fidelity(c.meanSkl()), 0.01);
    }

    @Test
    void shouldSplitLeftoverMassWhenATokenIsMissingFromOneSidesTopK() {
        // A lists x 0.6, y 0.3 (other 0.1); B lists x 0.6, z 0.3 (other 0.1). Union {x, y, z}.
        // A misses z: m = 1, q = min(0.1 / 2, 0.3) = 0.05, A other = 0.1 - 0.05 = 0.05
        //   A = (x .6, y .3, z .05, other .05); B likewise = (x .6, y .05, z .3, other .05)
        // SKL = (0.3-0.05) ln(0.3/0.05) + (0.05-0.3) ln(0.05/0.3) = 2 x 0.25 ln 6 = 0.5 ln 6 = 0.895880
        var a = List.of(position("x", 0.6, "y", 0.3));
        var b = List.of(position("x", 0.6, "z", 0.3));
        assertEquals(0.895880, FidelityMath.compare(a, b, EPS).meanSkl(), 1e-4);
    }

    @Test
    void shouldStopAfterFirstDivergentTokenWhenCompletionsDiverge() {
        // Position 0 generates x on both sides; position 1 generates y vs z (diverges, still
        // compared: same context); position 2 is past the common prefix and is not compared.
        var a = List.of(position("x", 0.9), position("y", 0.6, "z", 0.3), position("q", 0.9));
        var b = List.of(position("x", 0.9), position("z", 0.6, "y", 0.3), position("w", 0.9));
        FidelityMath.Comparison c = FidelityMath.compare(a, b, EPS);
        assertEquals(2, c.positions());
        // Position 0: identical, 0. Position 1: A = (y .6, z .3, o .1), B = (z .6, y .3, o .1)
        //   SKL = (.6-.3) ln 2 + (.3-.6) ln .5 = 0.6 ln 2 = 0.415888; mean = 0.415888 / 2 = 0.207944
        assertEquals(0.207944, c.meanSkl(), 1e-4);
    }
}
