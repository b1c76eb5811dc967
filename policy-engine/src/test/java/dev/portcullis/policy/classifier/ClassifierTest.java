package dev.portcullis.policy.classifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpFamily;
import dev.portcullis.policy.IpPrefix;
import dev.portcullis.policy.PortRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassifierTest {

    private static final IpPrefix ANY4 = IpPrefix.any(IpFamily.V4);
    private static final IpPrefix ANY6 = IpPrefix.any(IpFamily.V6);

    private static ClassifierRule rule(int priority, String src, String dst, PortRange sp, PortRange dp,
            int protoLo, int protoHi) {
        return new ClassifierRule(priority, IpPrefix.parse(src), IpPrefix.parse(dst), sp, dp, protoLo, protoHi);
    }

    private static int v4(String address) {
        return IpAddress.parse(address).v4Bits();
    }

    @Test
    void compile_emptyRuleSet_matchesNothing() {
        Classifier c = Classifier.compile(List.of());

        assertThat(c.boxCount()).isZero();
        assertThat(c.lookupV4(0, 0, 0, 0, 0)).isEqualTo(-1);
        assertThat(c.lookupV4After(-1, -1, -1, 65535, 65535, 255)).isEqualTo(-1);
        assertThat(c.lookupV6(0, 0, 0, 0, 0, 0, 0)).isEqualTo(-1);
        assertThat(c.lookupV6After(5, -1, -1, -1, -1, 65535, 65535, 255)).isEqualTo(-1);
        assertThat(c.footprintBytes()).isPositive();
    }

    @Test
    void compile_nullRules_failsNamingTheArgument() {
        assertThatThrownBy(() -> Classifier.compile(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("rules");
        List<ClassifierRule> withNull = Arrays.asList(rule(0, "0.0.0.0/0", "0.0.0.0/0", PortRange.ANY,
                PortRange.ANY, 0, 255), null);
        assertThatThrownBy(() -> Classifier.compile(withNull)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("null");
    }

    @Test
    void lookupV4_allWildcardRule_matchesExtremeHeaders() {
        Classifier c = Classifier.compile(List.of(new ClassifierRule(7, ANY4, ANY4, PortRange.ANY, PortRange.ANY,
                0, 255)));

        assertThat(c.lookupV4(0, 0, 0, 0, 0)).isEqualTo(7);
        assertThat(c.lookupV4(-1, -1, 65535, 65535, 255)).isEqualTo(7);
        assertThat(c.lookupV4(Integer.MIN_VALUE, Integer.MAX_VALUE, 1, 65534, 6)).isEqualTo(7);
        assertThat(c.lookupV4After(7, 0, 0, 0, 0, 0)).isEqualTo(-1);
        assertThat(c.lookupV4After(6, 0, 0, 0, 0, 0)).isEqualTo(7);
        assertThat(c.lookupV6(0, 0, 0, 0, 0, 0, 0)).as("an IPv4 rule never matches IPv6").isEqualTo(-1);
    }

    @Test
    void lookupV6_allWildcardRule_matchesExtremeHeaders() {
        Classifier c = Classifier.compile(List.of(new ClassifierRule(3, ANY6, ANY6, PortRange.ANY, PortRange.ANY,
                0, 255)));

        assertThat(c.lookupV6(0, 0, 0, 0, 0, 0, 0)).isEqualTo(3);
        assertThat(c.lookupV6(-1, -1, -1, -1, 65535, 65535, 255)).isEqualTo(3);
        assertThat(c.lookupV6(Long.MIN_VALUE, Long.MAX_VALUE, 1, -2, 80, 443, 17)).isEqualTo(3);
        assertThat(c.lookupV4(0, 0, 0, 0, 0)).as("an IPv6 rule never matches IPv4").isEqualTo(-1);
    }

    @Test
    void lookupV4_portAndProtocolBounds_areInclusive() {
        Classifier c = Classifier.compile(List.of(
                rule(0, "0.0.0.0/0", "0.0.0.0/0", PortRange.of(0), PortRange.of(65535), 0, 0),
                rule(1, "0.0.0.0/0", "0.0.0.0/0", PortRange.of(65535), PortRange.of(0), 255, 255),
                rule(2, "0.0.0.0/0", "0.0.0.0/0", new PortRange(1024, 2047), PortRange.ANY, 6, 6)));

        assertThat(c.lookupV4(0, 0, 0, 65535, 0)).isEqualTo(0);
        assertThat(c.lookupV4(0, 0, 0, 65535, 1)).isEqualTo(-1);
        assertThat(c.lookupV4(0, 0, 65535, 0, 255)).isEqualTo(1);
        assertThat(c.lookupV4(0, 0, 65535, 0, 254)).isEqualTo(-1);
        assertThat(c.lookupV4(0, 0, 1024, 9, 6)).isEqualTo(2);
        assertThat(c.lookupV4(0, 0, 2047, 9, 6)).isEqualTo(2);
        assertThat(c.lookupV4(0, 0, 1023, 9, 6)).isEqualTo(-1);
        assertThat(c.lookupV4(0, 0, 2048, 9, 6)).isEqualTo(-1);
    }

    @Test
    void lookupV4_prefixBounds_matchFirstAndLastOnly() {
        Classifier c = Classifier.compile(List.of(
                rule(5, "10.0.0.0/8", "255.255.255.255/32", PortRange.ANY, PortRange.ANY, 0, 255),
                rule(9, "128.0.0.0/1", "0.0.0.0/32", PortRange.ANY, PortRange.ANY, 0, 255)));

        assertThat(c.lookupV4(v4("10.0.0.0"), -1, 1, 1, 1)).isEqualTo(5);
        assertThat(c.lookupV4(v4("10.255.255.255"), -1, 1, 1, 1)).isEqualTo(5);
        assertThat(c.lookupV4(v4("9.255.255.255"), -1, 1, 1, 1)).isEqualTo(-1);
        assertThat(c.lookupV4(v4("11.0.0.0"), -1, 1, 1, 1)).isEqualTo(-1);
        assertThat(c.lookupV4(v4("10.1.2.3"), v4("255.255.255.254"), 1, 1, 1)).isEqualTo(-1);
        assertThat(c.lookupV4(v4("128.0.0.0"), 0, 1, 1, 1)).isEqualTo(9);
        assertThat(c.lookupV4(v4("255.255.255.255"), 0, 1, 1, 1)).isEqualTo(9);
        assertThat(c.lookupV4(v4("127.255.255.255"), 0, 1, 1, 1)).isEqualTo(-1);
    }

    @Test
    void lookupV6_prefixesAcrossTheHalves_matchExactly() {
        Classifier c = Classifier.compile(List.of(
                rule(1, "2001:db8::/32", "::/0", PortRange.ANY, PortRange.ANY, 0, 255),
                rule(2, "2001:db8:0:0:8000::/65", "::/0", PortRange.ANY, PortRange.ANY, 0, 255),
                rule(0, "2001:db8::1/128", "::/0", PortRange.ANY, PortRange.ANY, 0, 255)));
        long hi = 0x2001_0db8_0000_0000L;

        assertThat(c.lookupV6(hi, 1, 0, 0, 0, 0, 0)).isEqualTo(0);
        assertThat(c.lookupV6After(0, hi, 1, 0, 0, 0, 0, 0)).isEqualTo(1);
        assertThat(c.lookupV6(hi, Long.MIN_VALUE, 0, 0, 0, 0, 0)).isEqualTo(1);
        assertThat(c.lookupV6After(1, hi, Long.MIN_VALUE, 0, 0, 0, 0, 0)).isEqualTo(2);
        assertThat(c.lookupV6After(1, hi, Long.MAX_VALUE, 0, 0, 0, 0, 0)).isEqualTo(-1);
        assertThat(c.lookupV6(hi | 0xFFFF_FFFFL, -1, 0, 0, 0, 0, 0)).isEqualTo(1);
        assertThat(c.lookupV6(hi + (1L << 32), 0, 0, 0, 0, 0, 0)).isEqualTo(-1);
    }

    @Test
    void lookupAfter_manyIdenticalRules_enumeratesEveryPriorityInOrder() {
        List<ClassifierRule> rules = new ArrayList<>();
        for (int p = 0; p < 2000; p++) {
            rules.add(rule(p, "192.0.2.0/24", "198.51.100.7/32", new PortRange(1000, 2000), PortRange.of(443),
                    6, 6));
        }
        Classifier c = Classifier.compile(rules);
        int src = v4("192.0.2.99");
        int dst = v4("198.51.100.7");

        int seen = 0;
        for (int p = c.lookupV4(src, dst, 1500, 443, 6); p >= 0; p = c.lookupV4After(p, src, dst, 1500, 443, 6)) {
            assertThat(p).isEqualTo(seen);
            seen++;
        }
        assertThat(seen).isEqualTo(2000);
        assertThat(c.lookupV4(src, dst, 1500, 443, 17)).isEqualTo(-1);
    }

    @Test
    void compile_sharedPriorities_returnTheSmallest() {
        Classifier c = Classifier.compile(List.of(
                rule(4, "10.0.0.0/8", "0.0.0.0/0", PortRange.ANY, PortRange.of(80), 6, 6),
                rule(4, "10.0.0.0/8", "0.0.0.0/0", PortRange.ANY, PortRange.of(443), 6, 6),
                rule(2, "10.1.0.0/16", "0.0.0.0/0", PortRange.ANY, PortRange.of(443), 6, 6),
                rule(4, "2001:db8::/32", "::/0", PortRange.ANY, PortRange.of(443), 6, 6)));

        assertThat(c.boxCount()).isEqualTo(4);
        assertThat(c.lookupV4(v4("10.1.2.3"), 0, 9, 443, 6)).isEqualTo(2);
        assertThat(c.lookupV4After(2, v4("10.1.2.3"), 0, 9, 443, 6)).isEqualTo(4);
        assertThat(c.lookupV4(v4("10.2.2.3"), 0, 9, 80, 6)).isEqualTo(4);
        assertThat(c.lookupV6(0x2001_0db8_0000_0000L, 0, 0, 0, 9, 443, 6)).isEqualTo(4);
    }

    @Test
    void lookupV4_concurrentReaders_agreeWithTheReference() throws InterruptedException {
        List<ClassifierRule> rules = List.of(
                rule(0, "10.0.0.0/8", "0.0.0.0/0", PortRange.ANY, PortRange.of(22), 6, 6),
                rule(1, "0.0.0.0/0", "10.0.0.0/8", PortRange.ANY, PortRange.ANY, 0, 255));
        Classifier c = Classifier.compile(rules);
        LinearClassifier reference = new LinearClassifier(rules);
        int[] failures = new int[4];
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    int src = i * 0x9E3779B9;
                    int dst = (i * 31) << 24;
                    int port = i & 0xFFFF;
                    if (c.lookupV4(src, dst, 1, port, 6) != reference.lookupV4(src, dst, 1, port, 6)) {
                        failures[id]++;
                    }
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failures).containsOnly(0);
    }
}
