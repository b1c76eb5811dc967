/** Appliance images and update bundles: build, sign, verify, flash, and install into A/B slots. */
package dev.portcullis.image;
