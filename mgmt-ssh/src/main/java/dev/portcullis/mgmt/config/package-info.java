/** The configuration store (numbered, durable policy revisions) and configuration sessions (candidate, commit). */
package dev.portcullis.mgmt.config;
