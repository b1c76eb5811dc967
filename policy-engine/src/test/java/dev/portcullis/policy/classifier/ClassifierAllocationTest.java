package dev.portcullis.policy.classifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpFamily;
import dev.portcullis.policy.IpPrefix;
import dev.portcullis.policy.PortRange;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Lookups allocate nothing: the thread's allocated-bytes counter does not move over many of them. */
class ClassifierAllocationTest {

    @Test
    void lookups_afterWarmUp_allocateNothing() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter here");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "per-thread allocation counter not supported");
        threads.setThreadAllocatedMemoryEnabled(true);

        SplittableRandom random = new SplittableRandom(7);
        List<ClassifierRule> rules = new ArrayList<>();
        for (int p = 0; p < 2000; p++) {
            int v4 = random.nextInt();
            rules.add(new ClassifierRule(p, IpPrefix.of(IpAddress.v4(v4), 8 + random.nextInt(25)),
                    IpPrefix.any(IpFamily.V4), PortRange.ANY, PortRange.of(random.nextInt(1024)), 6, 6));
            rules.add(new ClassifierRule(p, IpPrefix.of(IpAddress.v6(random.nextLong(), 0),
                    16 + random.nextInt(48)), IpPrefix.any(IpFamily.V6), PortRange.ANY, PortRange.ANY, 0, 255));
        }
        Classifier c = Classifier.compile(rules);
        long sink = run(c, 50_000); // warm up: let the JIT compile (and escape-analyse) the lookups

        long tid = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(tid);
        sink += run(c, 200_000);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;

        assertThat(allocated).as("bytes allocated by 800,000 lookups (sink %d)", sink).isLessThan(1024);
    }

    private static long run(Classifier c, int count) {
        long sink = 0;
        for (int i = 0; i < count; i++) {
            int a = i * 0x9E3779B9;
            sink += c.lookupV4(a, ~a, i & 0xFFFF, i & 1023, 6);
            sink += c.lookupV4After(i % 2000, a, ~a, i & 0xFFFF, i & 1023, 6);
            sink += c.lookupV6((long) a << 32, 0, 0, 0, 1, 2, 17);
            sink += c.lookupV6After(i % 2000, (long) a << 32, 0, 0, 0, 1, 2, 17);
        }
        return sink;
    }
}
