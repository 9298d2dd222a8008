package dev.tokenarena.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * CPU pinning with Linux {@code taskset}, so that on a 2-core machine the client gets one core
 * and the schedule server the other instead of both being scheduled anywhere. Children inherit a
 * pinned process's CPUs: the Python client started by a pinned bench JVM runs on the same core.
 */
final class Pinning {

    /** A taskset CPU list: digits, commas and ranges only (it ends up on a command line). */
    private static final Pattern CPU_LIST = Pattern.compile("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*");

    private Pinning() {
    }

    /** The command prefix that runs a child on {@code cpus}; empty for no pinning. */
    static List<String> prefix(String cpus) {
        return cpus.isEmpty() ? List.of() : List.of("taskset", "-c", valid(cpus));
    }

    /** Set in the child JVM that {@link #runChild} starts, so it does not start itself again. */
    static final String CHILD_PROPERTY = "arena.bench.child";

    /**
     * Runs the probe bench again in a child JVM with {@code javaOptions} after this JVM's own options,
     * under {@code taskset -c cpus} unless {@code cpus} is empty, with the same arguments; returns
     * its exit code; its output is written to {@code out}. Pinning a JVM that is already running is not
     * the same as starting it pinned: it chose its collector (G1 with concurrent threads on a
     * 2-CPU machine, Serial on one CPU) and its compiler threads for the CPUs it saw at start.
     */
    static int runChild(String cpus, String javaOptions, List<String> args, java.io.PrintWriter out) {
        List<String> options = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
        options.addAll(split(javaOptions));
        options.add("-D" + CHILD_PROPERTY + "=true");
        List<String> cmd = java(cpus, options, ProbeBench.class);
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            // Through this command's writer (a test's, or stdout), not straight to the terminal.
            try (var in = new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8)) {
                in.transferTo(out);
            }
            out.flush();
            return p.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the client JVM" + (cpus.isEmpty() ? "" : " with taskset on CPUs "
                    + cpus + " (install util-linux or drop --client-cpus)") + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the client JVM ran", e);
        }
    }

    /**
     * {@code [taskset -c cpus] <this JVM's java> <options> -cp <this classpath> <main>}, for a child
     * JVM running one of the bench's classes; arguments go after it.
     */
    static List<String> java(String cpus, List<String> options, Class<?> main) {
        List<String> cmd = new ArrayList<>(prefix(cpus));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(options);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        return cmd;
    }

    /** Space-separated JVM options as a list; blank gives none. */
    static List<String> split(String options) {
        return options.isBlank() ? List.of() : List.of(options.trim().split("\\s+"));
    }

    private static String valid(String cpus) {
        if (!CPU_LIST.matcher(cpus).matches()) {
            throw new IllegalArgumentException("not a CPU list: '" + cpus + "' (expected e.g. 0 or 0,1 or 0-1)");
        }
        return cpus;
    }
}
