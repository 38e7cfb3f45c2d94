; Inno Setup 6.3+ script: a per-user Windows installer for the PyInstaller folder.
;
;   python packaging\build.py --installer
; runs, after PyInstaller:
;   iscc /DAppVersion=<ozondesk.__version__> packaging\windows\ozondesk.iss
;
; The version has one source, ozondesk/__init__.py; build.py passes it in.
; AppId must never change: Windows finds the installed copy to upgrade or remove by it.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z (packaging\build.py does)
#endif
#ifndef DistDir
  #define DistDir "..\..\dist\ozondesk"
#endif
#define AppName "OzonDesk"
#define AppExe "OzonDesk.exe"

[Setup]
AppId={{E2039495-4DA6-4297-8794-C651D7791A92}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=OzonDesk team
VersionInfoVersion={#AppVersion}
; Per user: agents install it without an administrator, into %LOCALAPPDATA%\Programs.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
SetupIconFile=..\icons\ozondesk.ico
OutputDir=..\..\dist
OutputBaseFilename=OzonDesk-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; The user's database lives in %LOCALAPPDATA%\OzonDesk, outside {app}: an upgrade or an
; uninstall never touches it.
CloseApplications=yes

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "ru"; MessagesFile: "compiler:Languages\Russian.isl"
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "zh_CN"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; Files of an older version that this one no longer ships (PyInstaller's folder changes).
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
