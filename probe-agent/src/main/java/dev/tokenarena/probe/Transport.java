package dev.tokenarena.probe;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.function.Supplier;

/**
 * The socket layer under the probe client: Netty's native epoll where its library works (Linux
 * x86_64 with the native jar on the class path), NIO everywhere else. Both run the same
 * pipeline. Epoll is preferred because reads are most of the client's work per chunk and epoll
 * does them without NIO's selected-key bookkeeping.
 *
 * @param name what the benchmark prints
 */
record Transport(String name, Supplier<IoHandlerFactory> ioHandler, Class<? extends SocketChannel> channelClass) {

    static final Transport NIO = new Transport("nio", NioIoHandler::newFactory, NioSocketChannel.class);
    static final Transport EPOLL = new Transport("epoll", EpollIoHandler::newFactory, EpollSocketChannel.class);

    /** Epoll when it works here, else NIO; never fails. */
    static Transport preferNative() {
        return EpollCheck.PROBLEM == null ? EPOLL : NIO;
    }

    /** Why epoll is not used here, or null when it is usable. */
    static String epollProblem() {
        return EpollCheck.PROBLEM;
    }

    /**
     * By name, for benchmarks that compare the two: {@code epoll}, {@code nio} or {@code auto}.
     * Asking for epoll where it does not work fails here, with the reason, not on the first request.
     */
    static Transport named(String name) {
        return switch (name) {
            case "auto" -> preferNative();
            case "nio" -> NIO;
            case "epoll" -> {
                if (EpollCheck.PROBLEM != null) {
                    throw new IllegalArgumentException("transport 'epoll' is not usable here: " + EpollCheck.PROBLEM);
                }
                yield EPOLL;
            }
            default -> throw new IllegalArgumentException("unknown transport '" + name + "' (epoll, nio or auto)");
        };
    }

    /** Checked once, on first use. */
    private static final class EpollCheck {
        static final String PROBLEM = check();

        /**
         * {@link Epoll#isAvailable()} only loads the library. A library of another Netty release
         * loads too and then fails on the first socket with an UnsatisfiedLinkError (seen with
         * the 4.2.18 library under 4.2.20 classes), so one socket is opened and closed here.
         */
        private static String check() {
            if (!Epoll.isAvailable()) {
                return String.valueOf(Epoll.unavailabilityCause());
            }
            try {
                new EpollSocketChannel().fd().close();
                // Errors' static initializer reads errno constants through JNI: the first method
                // missing from a mismatched library, and connect needs it.
                return io.netty.channel.unix.Errors.ERRNO_EAGAIN_NEGATIVE != 0 ? null : "errno constants unreadable";
            } catch (Exception | LinkageError e) {
                return e.toString();
            }
        }
    }
}
