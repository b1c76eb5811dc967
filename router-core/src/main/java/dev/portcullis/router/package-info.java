/** The data plane: a Netty full proxy that admits by policy and routes to pod endpoints, never to ClusterIPs. */
package dev.portcullis.router;
