# Builds and runs the Mcu server. Media uses one UDP port (50000); set Mcu__PublicIp
# to the address clients reach the container at, e.g.
#   docker build -t mcu . && docker run -p 8080:8080 -p 50000:50000/udp -e Mcu__PublicIp=203.0.113.7 mcu
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN scripts/install-deps.sh server \
 && dotnet publish src/Mcu.Server -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# The shim links FFmpeg's shared libraries; the ffmpeg package brings them (and the tools that post-process
# recordings); the font draws participants' names on placeholders.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
COPY layouts /app/layouts
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    Mcu__UdpBind=0.0.0.0 \
    Mcu__UdpPort=50000 \
    Mcu__RecordingsPath=/data/recordings
VOLUME /data
EXPOSE 8080 50000/udp
ENTRYPOINT ["dotnet", "Mcu.Server.dll"]
