package dev.portcullis.router;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The event loops that relay TCP directly ({@link DirectConnection}), each with its scratch buffer and its count of
 * open connections, and where a newly accepted connection goes.
 *
 * <p>Why placement at all: with {@code EPOLLEXCLUSIVE} the kernel wakes the first waiting loop, so when every loop
 * is idle the same loop takes each new connection. For short connections that does not matter (a busy loop is not
 * waiting, so the others get the next ones), but a few long streams could all land on one loop while another idles:
 * 4 iperf3 streams through the proxy once ran on one loop of two. So a loop that accepts a connection while it
 * carries clearly more than the least loaded loop hands the new socket to that loop (one task hand-off); within an
 * eighth of each other, it keeps it, so under steady load of many connections hand-offs stay rare.
 *
 * <p>Threading: the list is fixed at construction; the counts are atomic, counted up by whichever loop accepts and
 * down by the loop the connection ran on.
 */
final class DirectLoops {

    /**
     * One event loop with what its connections share (used only on that loop: the scratch buffer and the socket
     * calls' native memory); {@code connections} counts the connections placed on it and not yet closed (see
     * {@link #place}).
     */
    record Loop(IoEventLoop loop, DirectConnection.Scratch scratch, SocketCalls sockets, AtomicInteger connections) {
    }

    private final List<Loop> loops;

    DirectLoops(EventLoopGroup group) {
        this(loopsOf(group));
    }

    DirectLoops(List<Loop> loops) {
        this.loops = List.copyOf(loops);
    }

    private static List<Loop> loopsOf(EventLoopGroup group) {
        List<Loop> all = new ArrayList<>();
        for (EventExecutor e : group) {
            all.add(new Loop((IoEventLoop) e, DirectConnection.Scratch.allocate(), new SocketCalls(), new AtomicInteger()));
        }
        return all;
    }

    List<Loop> loops() {
        return loops;
    }

    /** What takes over an accepted socket on the loop it was placed on ({@link DirectConnection#accepted} and the like). */
    @FunctionalInterface
    interface Taker {
        void accepted(TcpGate gate, Loop home, int fd, InetSocketAddress client, InetSocketAddress local);
    }

    /**
     * Places a socket that {@code self} has just accepted ({@link #place}) and has {@code taker} take it over there:
     * at once on {@code self}, or as a task on the chosen loop.
     */
    void hand(Loop self, Taker taker, TcpGate gate, int fd, InetSocketAddress client, InetSocketAddress local) {
        Loop to = place(self);
        if (to == self) {
            taker.accepted(gate, self, fd, client, local);
        } else {
            to.loop().execute(() -> taker.accepted(gate, to, fd, client, local));
        }
    }

    /**
     * Where a connection that {@code self} has just accepted goes: {@code self}, unless it carries more than the
     * least loaded loop by over an eighth (and at least one), in which case that loop. The connection is counted on
     * the chosen loop at once, so a burst of connections accepted in one wake-up, whose hand-offs have not run yet,
     * spreads too; the connection itself uncounts when it closes.
     */
    Loop place(Loop self) {
        int mine = self.connections().get();
        Loop least = self;
        int fewest = mine;
        for (Loop l : loops) {
            int n = l.connections().get();
            if (n < fewest) {
                fewest = n;
                least = l;
            }
        }
        Loop chosen = mine > fewest + fewest / 8 ? least : self;
        chosen.connections().incrementAndGet();
        return chosen;
    }
}
