package dev.portcullis.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VersionTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(Version.PROPERTY);
    }

    // The appliance image's launcher names the image's version: show version must agree with show system software.
    @Test
    void current_propertySet_isTheImagesVersion() {
        System.setProperty(Version.PROPERTY, "0.1.1+g11ae9fef5a08\n");

        assertThat(Version.current()).isEqualTo("0.1.1+g11ae9fef5a08");
    }

    // An empty version file on the image (the launcher then passes an empty value) falls back to the build's version.
    @Test
    void current_propertyBlank_fallsBackToTheBuildsVersion() {
        System.setProperty(Version.PROPERTY, " ");

        assertThat(Version.current()).isNotBlank().isNotEqualTo(" ");
    }
}
