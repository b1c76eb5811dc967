package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The boot counter in entry file names, with systemd-boot's and systemd-bless-boot's renames. */
class BootCounterTest {

    @Test
    void parse_namesSystemdBootWrites_readAsItDoes() {
        assertThat(BootCounter.parse("portcullis-a.conf")).contains(BootCounter.good(Slot.A));
        assertThat(BootCounter.parse("portcullis-b+1-0.conf")).contains(BootCounter.tries(Slot.B, 1, 0));
        assertThat(BootCounter.parse("portcullis-b+3.conf")).contains(BootCounter.tries(Slot.B, 3, 0));
        assertThat(BootCounter.parse("portcullis-b+0-1.conf").orElseThrow().isBad()).isTrue();
        for (String other : new String[] {"debian.conf", "portcullis-c.conf", ".portcullis-a.conf.tmp",
            "portcullis-a+x-1.conf", "portcullis-a.conf~"}) {
            assertThat(BootCounter.parse(other)).as(other).isEmpty();
        }
    }

    @Test
    void afterBootAttempt_oneTry_isBadAfterTheTrialBoot() {
        // Installed with one try: the boot loader's rename before booting it leaves none, so unless it is blessed
        // during that boot, the next boot passes it over.
        BootCounter installed = BootCounter.tries(Slot.B, 1, 0);
        BootCounter booted = installed.afterBootAttempt();
        assertThat(booted.fileName()).isEqualTo("portcullis-b+0-1.conf");
        assertThat(booted.isBad()).isTrue();
        assertThat(booted.afterBootAttempt()).isEqualTo(booted);
        assertThat(booted.blessed().fileName()).isEqualTo("portcullis-b.conf");
        assertThat(BootCounter.good(Slot.A).afterBootAttempt()).isEqualTo(BootCounter.good(Slot.A));
    }

    @Property(tries = 300)
    void parse_ofFileName_isTheSameCounter(@ForAll boolean good, @ForAll boolean b,
                                           @ForAll @IntRange(max = 9999) int left,
                                           @ForAll @IntRange(max = 9999) int done) {
        Slot slot = b ? Slot.B : Slot.A;
        BootCounter c = good ? BootCounter.good(slot) : BootCounter.tries(slot, left, done);
        assertThat(BootCounter.parse(c.fileName())).isEqualTo(Optional.of(c));
        assertThat(c.condemned().isBad()).isTrue();
        assertThat(c.blessed().isGood()).isTrue();
    }
}
