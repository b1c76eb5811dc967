package dev.portcullis.policy.classifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.IpPrefix;
import dev.portcullis.policy.PortRange;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClassBenchRulesTest {

    @Test
    void parse_wellFormedLines_givesRulesInLineOrder() {
        List<ClassifierRule> rules = ClassBenchRules.parse("t.rules", """
                @81.110.124.109/32\t249.145.51.3/32\t0 : 65535\t135 : 135\t0x06/0xFF
                @0.0.0.0/0 10.0.0.0/8  1024 : 2047  0 : 65535  0x00/0x00

                @192.0.2.0/24 0.0.0.0/0 0 : 0 65535 : 65535 0x2f/0xFF
                """);

        assertThat(rules).containsExactly(
                new ClassifierRule(0, IpPrefix.parse("81.110.124.109/32"), IpPrefix.parse("249.145.51.3/32"),
                        PortRange.ANY, PortRange.of(135), 6, 6),
                new ClassifierRule(1, IpPrefix.parse("0.0.0.0/0"), IpPrefix.parse("10.0.0.0/8"),
                        new PortRange(1024, 2047), PortRange.ANY, 0, 255),
                new ClassifierRule(2, IpPrefix.parse("192.0.2.0/24"), IpPrefix.parse("0.0.0.0/0"),
                        PortRange.of(0), PortRange.of(65535), 0x2f, 0x2f));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "81.110.124.109/32 1.2.3.4/32 0 : 65535 135 : 135 0x06/0xFF | starts with '@'",
        "@81.110.124.109/32 1.2.3.4/32 0 : 65535 135 : 135 | expected 'SRC DST",
        "@81.110.124.109/32 1.2.3.4/32 0 - 65535 135 : 135 0x06/0xFF | expected 'SRC DST",
        "@81.110.124.109/33 1.2.3.4/32 0 : 65535 135 : 135 0x06/0xFF | more than 32",
        "@81.110.124.109/24 1.2.3.4/32 0 : 65535 135 : 135 0x06/0xFF | host bits",
        "@1.2.3.4/32 1.2.3.4/32 0 : 65536 135 : 135 0x06/0xFF | more than 65535",
        "@1.2.3.4/32 1.2.3.4/32 9 : 8 135 : 135 0x06/0xFF | reversed",
        "@1.2.3.4/32 1.2.3.4/32 0 : 65535 x : 135 0x06/0xFF | 'x' is not a decimal number",
        "@1.2.3.4/32 1.2.3.4/32 0 : 65535 135 : 135 0x06/0x0F | only masks",
        "@1.2.3.4/32 1.2.3.4/32 0 : 65535 135 : 135 6/0xFF | not a hex byte",
        "@1.2.3.4/32 1.2.3.4/32 0 : 65535 135 : 135 0x06 | not VALUE/MASK",
    })
    void parse_malformedLine_failsWithFileLineAndReason(String line, String reason) {
        String text = "@0.0.0.0/0 0.0.0.0/0 0 : 65535 0 : 65535 0x00/0x00\n" + line + "\n";

        assertThatThrownBy(() -> ClassBenchRules.parse("acl.rules", text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("acl.rules:2: ")
                .hasMessageContaining(reason);
    }

    @Test
    void traceParse_wellFormedLines_keepsEveryColumn() throws IOException {
        ClassBenchTrace trace = ClassBenchTrace.parse("t.trace",
                new StringReader("1010525944 3133546259 0 1521 6 2066\n4294967295 0 65535 0 255 1\n"));

        assertThat(trace.size()).isEqualTo(2);
        assertThat(trace.src(0)).isEqualTo(1010525944);
        assertThat(trace.dst(0) & 0xFFFF_FFFFL).isEqualTo(3133546259L);
        assertThat(trace.srcPort(1)).isEqualTo(65535);
        assertThat(trace.dstPort(0)).isEqualTo(1521);
        assertThat(trace.protocol(1)).isEqualTo(255);
        assertThat(trace.match(0)).isEqualTo(2066);
        assertThat(trace.src(1)).isEqualTo(-1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1 2 3 4 5 | expected 'SRC DST SPORT DPORT PROTO MATCH'",
        "4294967296 2 3 4 5 6 | source address 4294967296 is more than 4294967295",
        "1 2 3 65536 5 6 | destination port 65536 is more than 65535",
        "1 2 3 4 256 6 | protocol 256 is more than 255",
        "1 2 3 4 -5 6 | protocol '-5' is not a decimal number",
    })
    void traceParse_malformedLine_failsWithFileLineAndReason(String line, String reason) {
        assertThatThrownBy(() -> ClassBenchTrace.parse("x.trace", new StringReader("1 2 3 4 5 6\n" + line)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("x.trace:2: ")
                .hasMessageContaining(reason);
    }
}
