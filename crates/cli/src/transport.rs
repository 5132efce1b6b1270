//! Client connections: the WebSocket server transport (or the reverse mode that dials out to a
//! listening client), each connection glued to a server session.

use crate::serve::{ServeArgs, listen_address};
use buttplug_server::ButtplugServer;

pub(crate) async fn serve_clients(args: &ServeArgs, server: ButtplugServer) -> Result<(), String> {
    let _ = (listen_address(args), server);
    Err("the WebSocket transport is not wired yet".into())
}
