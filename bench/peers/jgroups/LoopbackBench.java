// LoopbackBench is one member of a JGroups 2.12 group on 127.0.0.1, used as
// a peer baseline for Lockstep's ordered multicast. Three of these run as
// separate JVMs; once the view holds all of them, one member multicasts:
// the coordinator (first in the view; SEQUENCER's sequencer, so its
// multicasts need no forwarding) or the youngest (last in the view, whose
// multicasts SEQUENCER forwards to the coordinator first). It first sends
// untimed warm-up messages, so the JIT has compiled the hot paths, then
// the timed ones. Every member, the sender included, counts what it
// delivers and prints one line:
//
//   RESULT mode=<m> sender_role=<r> member=<i> sender=<bool> delivered=<n> expected=<n>
//          seconds=<s> msgs_per_sec=<r> status=<ok|timeout>
//
// where seconds runs from the sender's first send to this member's last
// delivery (System.nanoTime is the same monotonic clock in every JVM on one
// Linux host). Members leave once every member has announced it is done,
// or at the deadline, so that nobody leaves while others still need
// retransmissions.
//
// Usage: LoopbackBench <stack.xml> <mode> <member-index> <members>
//                      <messages> <payload-bytes> <timeout-seconds>
//                      <warmup-messages> <coordinator|youngest>

import java.io.File;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.ReceiverAdapter;
import org.jgroups.View;

public final class LoopbackBench extends ReceiverAdapter {
    private static final byte DATA = 0;
    private static final byte DONE = 1;
    private static final byte WARMUP = 2;

    private final int members;
    private final long expected;
    private final AtomicLong delivered = new AtomicLong();
    private volatile long senderStart;
    private volatile long lastDelivery;
    private final CountDownLatch fullView = new CountDownLatch(1);
    private final CountDownLatch allDelivered = new CountDownLatch(1);
    private final CountDownLatch allDone;

    private LoopbackBench(int members, long expected) {
        this.members = members;
        this.expected = expected;
        this.allDone = new CountDownLatch(members);
    }

    @Override
    public void viewAccepted(View view) {
        if (view.size() >= members) {
            fullView.countDown();
        }
    }

    @Override
    public void receive(Message msg) {
        byte[] buf = msg.getRawBuffer();
        int off = msg.getOffset();
        if (msg.getLength() < 9) {
            return;
        }
        if (buf[off] == DONE) {
            allDone.countDown();
            return;
        }
        if (buf[off] == WARMUP) {
            return;
        }
        long n = delivered.incrementAndGet();
        if (n == 1) {
            senderStart = readLong(buf, off + 1);
        }
        if (n == expected) {
            lastDelivery = System.nanoTime();
            allDelivered.countDown();
        }
    }

    private static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xffL);
        }
        return v;
    }

    private static void writeLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static void silenceLogging() {
        LogManager.getLogManager().reset();
        Logger.getLogger("").setLevel(Level.OFF);
        Logger.getLogger("org.jgroups").setLevel(Level.OFF);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 9) {
            System.err.println("usage: LoopbackBench <stack.xml> <mode> <member-index> <members> <messages> <payload-bytes> <timeout-seconds> <warmup-messages> <coordinator|youngest>");
            System.exit(2);
        }
        silenceLogging();
        String stack = args[0];
        String mode = args[1];
        int index = Integer.parseInt(args[2]);
        int members = Integer.parseInt(args[3]);
        long messages = Long.parseLong(args[4]);
        int size = Math.max(9, Integer.parseInt(args[5]));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[6]));
        long warmup = Long.parseLong(args[7]);
        boolean coordinatorSends = args[8].equals("coordinator");
        if (!coordinatorSends && !args[8].equals("youngest")) {
            System.err.println("sender must be coordinator or youngest, not " + args[8]);
            System.exit(2);
        }

        LoopbackBench bench = new LoopbackBench(members, messages);
        JChannel ch = new JChannel(new File(stack));
        ch.setReceiver(bench);
        ch.connect("lockstep-bench-" + mode);
        System.out.println("READY mode=" + mode + " member=" + index);
        System.out.flush();

        String status = "ok";
        boolean sender = false;
        if (!bench.fullView.await(remaining(deadline), TimeUnit.NANOSECONDS)) {
            status = "timeout";
        } else {
            View view = ch.getView();
            Address chosen = view.getMembers().get(coordinatorSends ? 0 : view.size() - 1);
            sender = chosen.equals(ch.getAddress());
            if (sender) {
                byte[] warm = new byte[size];
                warm[0] = WARMUP;
                for (long i = 0; i < warmup && System.nanoTime() < deadline; i++) {
                    ch.send(new Message(null, null, warm));
                }
                byte[] payload = new byte[size];
                payload[0] = DATA;
                writeLong(payload, 1, System.nanoTime());
                for (long i = 0; i < messages && System.nanoTime() < deadline; i++) {
                    // the same buffer for every message: its content never changes
                    ch.send(new Message(null, null, payload));
                }
            }
            if (!bench.allDelivered.await(remaining(deadline), TimeUnit.NANOSECONDS)) {
                status = "timeout";
            }
        }
        long got = bench.delivered.get();
        double seconds = got == messages && bench.senderStart != 0
                ? (bench.lastDelivery - bench.senderStart) / 1e9 : 0;
        double rate = seconds > 0 ? messages / seconds : 0;
        System.out.printf("RESULT mode=%s sender_role=%s member=%d sender=%b delivered=%d expected=%d seconds=%.3f msgs_per_sec=%.0f status=%s%n",
                mode, args[8], index, sender, got, messages, seconds, rate, status);
        System.out.flush();

        byte[] done = new byte[9];
        done[0] = DONE;
        ch.send(new Message(null, null, done));
        bench.allDone.await(Math.min(remaining(deadline), TimeUnit.SECONDS.toNanos(10)), TimeUnit.NANOSECONDS);
        ch.close();
        System.exit(status.equals("ok") ? 0 : 1);
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }
}
