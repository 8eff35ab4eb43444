//! A real KMS-compatible server for end-to-end tests: `moto_server` (PyPI `moto[server]`) on a
//! free 127.0.0.1 port, started per test and stopped when the handle drops.
//!
//! `bash scripts/test.sh` installs moto into `.venv/` when it is missing and sets MOTO_SERVER.
//! Without it these tests fail with a sentence saying how to get it; they never pass silently.

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

pub struct Moto {
    child: Child,
    pub endpoint: String,
}

fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("moto_server")
}

impl Moto {
    pub fn start() -> Self {
        Self::start_as(ACCOUNT)
    }

    /// A server that answers as account `account` (moto's MOTO_ACCOUNT_ID): two of them stand
    /// in for two accounts.
    pub fn start_as(account: &str) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let bin = binary();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ACCOUNT_ID", account)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!(
                    "cannot start {} ({err}): run `bash scripts/test.sh`, which installs moto[server] into .venv, or set MOTO_SERVER",
                    bin.display()
                )
            });
        let moto = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// An SDK config for this server: static credentials, one region, retries as given.
    pub async fn sdk_config(&self, attempts: u32) -> aws_config::SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new(REGION))
            .endpoint_url(&self.endpoint)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(attempts))
            .load()
            .await
    }

    /// A KMS client for seeding the server.
    pub async fn kms(&self) -> aws_sdk_kms::Client {
        aws_sdk_kms::Client::new(&self.sdk_config(1).await)
    }

    /// A KMS client for seeding another region of the server.
    pub async fn kms_in(&self, region: &str) -> aws_sdk_kms::Client {
        let config = aws_sdk_kms::config::Builder::from(&self.sdk_config(1).await)
            .region(aws_config::Region::new(region.to_owned()))
            .build();
        aws_sdk_kms::Client::from_conf(config)
    }

    /// Creates a key with alias `alias/NAME` in `region`; returns its id.
    pub async fn key(&self, region: &str, name: &str) -> String {
        let kms = self.kms_in(region).await;
        let key = kms
            .create_key()
            .description(format!("{name} key"))
            .send()
            .await
            .unwrap();
        let id = key.key_metadata().unwrap().key_id().to_owned();
        kms.create_alias()
            .alias_name(format!("alias/{name}"))
            .target_key_id(&id)
            .send()
            .await
            .unwrap();
        id
    }

    /// The environment the binary needs to reach this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_REGION", REGION.to_owned()),
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_CONFIG_FILE", "/nonexistent/aws-config".to_owned()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/aws-credentials".to_owned(),
            ),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
