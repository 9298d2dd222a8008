package dev.tokenarena.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    /** Pins every thread of this JVM, present and future, to {@code cpus}. */
    static void pinThisProcess(String cpus) {
        String pid = Long.toString(ProcessHandle.current().pid());
        try {
            Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", valid(cpus), pid).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("taskset -a -p -c " + cpus + " " + pid + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run taskset to pin the client to CPUs " + cpus
                    + " (install util-linux or drop --client-cpus): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while pinning to CPUs " + cpus, e);
        }
    }

    private static String valid(String cpus) {
        if (!CPU_LIST.matcher(cpus).matches()) {
            throw new IllegalArgumentException("not a CPU list: '" + cpus + "' (expected e.g. 0 or 0,1 or 0-1)");
        }
        return cpus;
    }
}
