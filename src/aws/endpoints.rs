//! Endpoint resolution for emulators: the SDK's S3 Control rules prepend the account id to
//! the host (`123456789012.127.0.0.1`), which does not resolve, so a configured endpoint URL
//! is used unchanged; without one the SDK's default resolver decides. The account id still
//! travels in the `x-amz-account-id` header.

use aws_sdk_s3control::config::endpoint::{DefaultResolver, Endpoint, EndpointFuture, Params, ResolveEndpoint};

#[derive(Debug)]
pub struct S3ControlEndpoint {
    fixed_url: Option<String>,
    default: DefaultResolver,
}

impl S3ControlEndpoint {
    pub fn new(fixed_url: Option<String>) -> S3ControlEndpoint {
        S3ControlEndpoint { fixed_url, default: DefaultResolver::new() }
    }
}

impl ResolveEndpoint for S3ControlEndpoint {
    fn resolve_endpoint<'a>(&'a self, params: &'a Params) -> EndpointFuture<'a> {
        match &self.fixed_url {
            Some(url) => EndpointFuture::ready(Ok(Endpoint::builder().url(url.clone()).build())),
            None => self.default.resolve_endpoint(params),
        }
    }
}
