/** The policy model, its YAML loader and its validator. */
package dev.portcullis.policy;
