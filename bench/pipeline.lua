-- wrk script: sends DEPTH requests for PATH back to back in one write, then reads the
-- DEPTH responses (HTTP/1.1 pipelining). Usage: wrk ... -s pipeline.lua URL -- [DEPTH] [PATH]
-- Defaults: 16 requests of "/". wrk counts each response, so req/s counts requests.

init = function(args)
   local depth = tonumber(args[1]) or 16
   local path = args[2] or "/"
   local r = {}
   for i = 1, depth do
      r[i] = wrk.format(nil, path)
   end
   req = table.concat(r)
end

request = function()
   return req
end
