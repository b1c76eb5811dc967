package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    @Test
    void advance_notInteractive_printsOneLinePerTenthAndNoDuplicateAtTheEnd() {
        StringWriter s = new StringWriter();
        ConsoleProgress p = new ConsoleProgress(new PrintWriter(s), false);
        long mib = DiskLayout.MIB;
        p.begin("write disk.img", 100 * mib);
        for (int i = 0; i < 100; i++) {
            p.advance(mib);
        }
        p.end();
        String[] lines = s.toString().split("\n");
        assertThat(lines).hasSize(11);
        assertThat(lines[0]).startsWith("write disk.img").contains("[..............................]   0%  0/100 MiB");
        assertThat(lines[10]).contains("[##############################] 100%  100/100 MiB");
    }

    @Test
    void end_interactive_redrawsInPlaceAndEndsTheLine() {
        StringWriter s = new StringWriter();
        ConsoleProgress p = new ConsoleProgress(new PrintWriter(s), true);
        p.begin("verify", 10);
        p.advance(10);
        p.end();
        assertThat(s.toString()).startsWith("\rverify").contains("\rverify").endsWith("\n")
                .contains("100%");
    }
}
