using Mcu.Server;

McuApp.Build(args).Run();
