# Mcu in a container. .NET 10's official images are Ubuntu 24.04 (FFmpeg 6.1, OpenSSL 3.0); both
# stages install their packages with scripts/install-deps.sh, the script that the Debian 12 tests and
# the Debian 13 check (scripts/check-debian13.sh) run too: the build stage gets the FFmpeg and OpenSSL
# headers for the two native shims, the runtime stage their libraries (libssl3t64 comes with .NET's image). Media uses one port number,
# UDP and TCP (ICE-TCP, for clients whose UDP is blocked); set Mcu__PublicIp to the address clients reach the container at. A clean stop takes Mcu:ShutdownSeconds (8 s), inside
# docker stop's default 10 s; raise --stop-timeout with it.
#   docker build -t mcu .
#   docker run -p 8080:8080 -p 50000:50000/udp -p 50000:50000/tcp -v mcu-data:/data \
#     -e Mcu__PublicIp=203.0.113.7 -e Mcu__AdminKey=change-me mcu
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
# npm only in this stage: the build installs hls.js (pinned by src/Mcu.Server/player's lock file)
# for the watch page's players without native HLS, and serves it from the image, never a CDN.
RUN scripts/install-deps.sh server \
 && (command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm) \
 && dotnet publish src/Mcu.Server -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
COPY scripts/install-deps.sh /tmp/install-deps.sh
RUN /tmp/install-deps.sh runtime && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh
WORKDIR /app
COPY --from=build /app .
COPY layouts /app/layouts
# The image's non-root user ($APP_UID, "app") owns what the server writes: recordings under /data,
# and layout templates saved through the API (mount a volume on /app/layouts to keep them).
RUN mkdir -p /data/recordings && chown -R "$APP_UID" /data /app/layouts
# A fixed node name: recording jobs are queued per node, and a container's host name changes
# with every new container. Give each node of a cluster its own.
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    Mcu__UdpBind=0.0.0.0 \
    Mcu__UdpPort=50000 \
    Mcu__RecordingsPath=/data/recordings \
    Mcu__LayoutsPath=/app/layouts \
    Mcu__NodeName=mcu-1
VOLUME /data
EXPOSE 8080 50000/udp 50000/tcp
USER $APP_UID
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
# docker stop sends SIGTERM: the server ends its sessions and finishes its recordings, then exits
# (within Mcu:ShutdownSeconds, 8 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "Mcu.Server.dll"]
